/* timon-api-worker.c: the threads that serve HTTP. One SoupServer
 * serves some 30,000 small requests a second on one core; the API
 * serves on every core with one worker each: its own main context and
 * SoupServer, accepting from one listening socket that all share. (Not
 * SO_REUSEPORT: it would let a second timond of the same user bind the
 * port too and take half the connections.) Every worker is a thread of
 * its own: the thread that made the server (timond's main loop) runs
 * the watch cache's updates and the store's watch, which every write
 * passes through; serving requests there too made it the bottleneck of
 * writes (4,500 creates/s at 256 connections on 2 cores, 5,700 with it
 * free).
 *
 * The socket's listen queue is deep: with the default queue of 10,
 * connections beyond it were dropped and retried a second later under
 * load. (Accepting ourselves and handing connections over with
 * soup_server_accept_iostream() loses request bodies in libsoup 3.2.)
 * Each worker keeps the watches it serves: watch messages live in the worker's thread, and the watch cache hands
 * them events there (api_worker_invoke()).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <unistd.h>

#include "timon-api-private.h"

/* The kernel caps it at net.core.somaxconn. */
#define LISTEN_BACKLOG 4096
#define LISTENERS_PER_WORKER 8

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
  /* Whatever libsoup attaches, it attaches to the worker's context. */
  g_main_context_push_thread_default (worker->context);
  worker->soup = api_server_new_soup (server);
  g_main_context_pop_thread_default (worker->context);
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

/* Starts serving what @listener accepts: the worker's thread runs from
 * here. */
gboolean
api_worker_listen (ApiWorker *worker, GSocket *listener, GError **error)
{
  /* libsoup's listener accepts one connection a loop iteration, and an
   * iteration of a busy worker serves every connection with a request:
   * 256 clients connecting at once waited up to a second. Several
   * listeners, each on its own descriptor of the one socket, accept
   * several. */
  gboolean listening = TRUE;
  g_main_context_push_thread_default (worker->context);
  for (guint i = 0; i < LISTENERS_PER_WORKER && listening; i++) {
    g_autoptr (GSocket) copy = NULL;
    int fd = dup (g_socket_get_fd (listener));
    if (fd >= 0)
      copy = g_socket_new_from_fd (fd, error);
    else
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s", g_strerror (errno));
    /* Never block in accept(): another listener may have taken the
     * connection this one woke up for. */
    if (copy != NULL)
      g_socket_set_blocking (copy, FALSE);
    listening = copy != NULL && soup_server_listen_socket (worker->soup, copy, 0, error);
    if (copy == NULL && fd >= 0)
      close (fd);
  }
  g_main_context_pop_thread_default (worker->context);
  if (!listening)
    return FALSE;
  g_autofree char *name = g_strdup_printf ("timon-api-%u", worker->index);
  worker->thread = g_thread_new (name, worker_thread, worker);
  return TRUE;
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
  soup_server_disconnect (worker->soup);
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
  g_main_context_push_thread_default (worker->context);
  g_clear_object (&worker->soup);
  g_clear_pointer (&worker->watches, g_hash_table_unref);
  g_main_context_pop_thread_default (worker->context);
  g_clear_pointer (&worker->loop, g_main_loop_unref);
  g_main_context_unref (worker->context);
  g_free (worker);
}
