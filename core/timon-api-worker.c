/* timon-api-worker.c: the threads that serve HTTP. The API serves on
 * every core with one worker each: a thread with its own main context,
 * accepting from one listening socket that all share (not SO_REUSEPORT:
 * it would let a second timond of the same user bind the port too and
 * take half the connections), and serving its connections
 * (timon-api-http.c) start to end. The thread that made the server
 * (timond's main loop) runs the watch cache's updates and the store's
 * watch, which every write passes through; serving requests there too
 * made it the bottleneck of writes (4,500 creates/s at 256 connections
 * on 2 cores, 5,700 with it free).
 *
 * The socket's listen queue is deep: with the default queue of 10,
 * connections beyond it were dropped and retried a second later under
 * load. A worker woken by the socket accepts all that wait, so that 256
 * clients connecting at once do not wait a loop iteration each. Each
 * worker keeps the watches it serves: they live in the worker's thread,
 * and the watch cache hands them events there (api_worker_invoke()).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "timon-api-private.h"

/* The kernel caps it at net.core.somaxconn. */
#define LISTEN_BACKLOG 4096
/* Accepted at most per wake-up, so that one worker does not take every
 * connection of a burst while the others sleep. */
#define ACCEPT_BATCH 32

static GPrivate current_worker;

/* The worker whose thread this is, or NULL. */
ApiWorker *
api_worker_current (void)
{
  return g_private_get (&current_worker);
}

void
api_worker_invoke (ApiWorker *worker, GSourceFunc func, gpointer data, GDestroyNotify notify)
{
  g_main_context_invoke_full (worker->context, G_PRIORITY_DEFAULT, func, data, notify);
}

ApiWorker *
api_worker_new (TimonApiServer *server, guint index)
{
  ApiWorker *worker = g_new0 (ApiWorker, 1);

  worker->server = server;
  worker->index = index;
  worker->watches = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) api_watch_free, NULL);
  worker->context = g_main_context_new ();
  worker->loop = g_main_loop_new (worker->context, FALSE);
  g_queue_init (&worker->connections);
  return worker;
}

/* The listening socket the workers share. */
GSocket *
api_listener_new (GInetSocketAddress *address, GError **error)
{
  GSocketFamily family = g_socket_address_get_family (G_SOCKET_ADDRESS (address));
  g_autoptr (GSocket) socket =
    g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  if (family == G_SOCKET_FAMILY_IPV6)
    g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 1, NULL);
  if (!g_socket_bind (socket, G_SOCKET_ADDRESS (address), TRUE, error))
    return NULL;
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_listen (socket, error))
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  return g_steal_pointer (&socket);
}

static gpointer
worker_thread (gpointer data)
{
  ApiWorker *worker = data;

  g_main_context_push_thread_default (worker->context);
  g_private_set (&current_worker, worker);
  g_main_loop_run (worker->loop);
  g_main_context_pop_thread_default (worker->context);
  return NULL;
}

static gboolean
on_accept (int fd, GIOCondition condition, gpointer user_data)
{
  ApiWorker *worker = user_data;

  for (guint i = 0; i < ACCEPT_BATCH; i++) {
    int conn_fd = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (conn_fd < 0) {
      /* EAGAIN: another worker took it. Out of descriptors: the
       * connection waits in the queue until one is free. */
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
        g_warning ("accepting a connection: %s", g_strerror (errno));
      break;
    }
    g_queue_push_tail (&worker->connections, NULL);
    GList *link = worker->connections.tail;
    link->data = api_connection_new (worker, conn_fd, link);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timer (gpointer user_data)
{
  ApiWorker *worker = user_data;
  gint64 now = g_get_monotonic_time ();

  for (GList *l = worker->connections.head, *next; l != NULL; l = next) {
    next = l->next;
    api_connection_check_timeout (l->data, now);
  }
  return G_SOURCE_CONTINUE;
}

void
api_worker_forget_connection (ApiWorker *worker, GList *link)
{
  g_queue_delete_link (&worker->connections, link);
}

/* Starts serving what @listener accepts: the worker's thread runs from
 * here. */
void
api_worker_listen (ApiWorker *worker, GSocket *listener)
{
  worker->listener = g_object_ref (listener);
  worker->accept = g_unix_fd_source_new (g_socket_get_fd (listener), G_IO_IN);
  g_source_set_callback (worker->accept, (GSourceFunc) (GCallback) on_accept, worker, NULL);
  g_source_attach (worker->accept, worker->context);
  worker->timer = g_timeout_source_new_seconds (1);
  g_source_set_callback (worker->timer, on_timer, worker, NULL);
  g_source_attach (worker->timer, worker->context);
  g_autofree char *name = g_strdup_printf ("timon-api-%u", worker->index);
  worker->thread = g_thread_new (name, worker_thread, worker);
}

static gboolean
end_watches (gpointer data)
{
  ApiWorker *worker = data;
  GHashTableIter iter;
  gpointer watch;

  g_hash_table_iter_init (&iter, worker->watches);
  while (g_hash_table_iter_next (&iter, &watch, NULL))
    api_watch_end (watch);
  return G_SOURCE_REMOVE;
}

/* Ends the streams of the worker's watches, in its thread; they go once
 * their last chunk is out. */
void
api_worker_end_watches (ApiWorker *worker)
{
  api_worker_invoke (worker, end_watches, worker, NULL);
}

/* In the worker's thread: what it serves goes, and its loop ends. */
static gboolean
stop_serving (gpointer data)
{
  ApiWorker *worker = data;

  worker->stopped = TRUE;
  g_hash_table_remove_all (worker->watches);
  if (worker->accept != NULL) {
    g_source_destroy (worker->accept);
    g_clear_pointer (&worker->accept, g_source_unref);
  }
  if (worker->timer != NULL) {
    g_source_destroy (worker->timer);
    g_clear_pointer (&worker->timer, g_source_unref);
  }
  while (worker->connections.head != NULL)
    api_connection_close (worker->connections.head->data);
  g_main_loop_quit (worker->loop);
  return G_SOURCE_REMOVE;
}

/* Stops the worker, at once; from the thread that made it. A worker
 * that never listened has no thread. */
void
api_worker_stop (ApiWorker *worker)
{
  if (worker->thread != NULL) {
    api_worker_invoke (worker, stop_serving, worker, NULL);
    g_thread_join (g_steal_pointer (&worker->thread));
  } else if (!worker->stopped) {
    g_main_context_push_thread_default (worker->context);
    stop_serving (worker);
    g_main_context_pop_thread_default (worker->context);
  }
  worker->stopped = TRUE;
}

void
api_worker_free (ApiWorker *worker)
{
  api_worker_stop (worker);
  g_clear_pointer (&worker->watches, g_hash_table_unref);
  g_clear_object (&worker->listener);
  g_clear_pointer (&worker->loop, g_main_loop_unref);
  g_main_context_unref (worker->context);
  g_free (worker);
}
