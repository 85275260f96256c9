/* core-v1-net.c: the network checks pods, services, endpoints and nodes
 * share: IP addresses, CIDRs, port numbers, port names and protocols, as
 * Kubernetes' validation words them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <arpa/inet.h>
#include <string.h>

#include "core-v1-private.h"

#define IANA_SVC_NAME_MAX_LENGTH 15

/* Whether @text is an IPv4 (dotted, no leading zeros) or IPv6 address. */
gboolean
core_v1_is_ip (const char *text)
{
  unsigned char buffer[sizeof (struct in6_addr)];

  if (text == NULL)
    return FALSE;
  return inet_pton (AF_INET, text, buffer) == 1 ||
         (strchr (text, ':') != NULL && inet_pton (AF_INET6, text, buffer) == 1);
}

/* Whether @text is an address, '/', and a prefix length that fits it. */
gboolean
core_v1_is_cidr (const char *text)
{
  const char *slash = text != NULL ? strchr (text, '/') : NULL;
  unsigned char buffer[sizeof (struct in6_addr)];

  if (slash == NULL)
    return FALSE;
  g_autofree char *address = g_strndup (text, slash - text);
  const char *prefix = slash + 1;
  size_t n = strlen (prefix);
  int max;

  if (inet_pton (AF_INET, address, buffer) == 1)
    max = 32;
  else if (inet_pton (AF_INET6, address, buffer) == 1)
    max = 128;
  else
    return FALSE;
  if (n == 0 || n > 3 || strspn (prefix, "0123456789") != n || (n > 1 && prefix[0] == '0'))
    return FALSE;
  return atoi (prefix) <= max;
}

/* Whether @text is an IPv6 address or CIDR. */
gboolean
core_v1_is_ipv6 (const char *text)
{
  return text != NULL && strchr (text, ':') != NULL;
}

/* Kubernetes' IsValidPortNum(). */
void
core_v1_validate_port_number (gint64 port, const char *field, TimonFieldErrors *errors)
{
  if (port < 1 || port > 65535) {
    g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, port);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, value,
                            "must be between 1 and 65535, inclusive");
  }
}

/* Kubernetes' IsValidPortName(): an IANA_SVC_NAME (RFC 6335), such as
 * "http" or "metrics-2". */
void
core_v1_validate_port_name (const char *name, const char *field, TimonFieldErrors *errors)
{
  size_t len = strlen (name);
  gboolean letter = FALSE;

  if (len > IANA_SVC_NAME_MAX_LENGTH)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, name,
                            "must be no more than %d characters", IANA_SVC_NAME_MAX_LENGTH);
  if (strspn (name, "abcdefghijklmnopqrstuvwxyz0123456789-") != len)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, name,
                            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens "
                            "(-)");
  if (strstr (name, "--") != NULL)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, name,
                            "must not contain consecutive hyphens");
  for (const char *p = name; *p != '\0'; p++)
    letter = letter || g_ascii_islower (*p);
  if (!letter)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, name,
                            "must contain at least one letter (a-z)");
  if (len > 0 && (name[0] == '-' || name[len - 1] == '-'))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, name,
                            "must not begin or end with a hyphen");
}

/* Checks that @value is one of @supported, as Kubernetes'
 * field.NotSupported(); an empty value is a missing one when @required. */
void
core_v1_validate_enum (const char *value,
                       const char *const *supported,
                       gboolean required,
                       const char *field,
                       TimonFieldErrors *errors)
{
  if (value == NULL || (value[0] == '\0' && required)) {
    if (required)
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, field, NULL, NULL);
    return;
  }
  if (g_strv_contains (supported, value))
    return;
  g_autoptr (GString) list = g_string_new ("supported values: ");
  for (const char *const *s = supported; *s != NULL; s++)
    g_string_append_printf (list, "%s\"%s\"", s == supported ? "" : ", ", *s);
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_NOT_SUPPORTED, field, value, "%s", list->str);
}

/* A port's protocol: TCP, UDP or SCTP, required (defaults fill it). */
void
core_v1_validate_protocol (JsonObject *port, const char *path, TimonFieldErrors *errors)
{
  static const char *const protocols[] = { "TCP", "UDP", "SCTP", NULL };
  g_autofree char *field = timon_resource_path (path, "protocol");
  JsonNode *node = json_object_get_member (port, "protocol");
  const char *protocol = timon_resource_get_string (port, "protocol", path, errors);

  if (protocol == NULL && node != NULL && !JSON_NODE_HOLDS_NULL (node))
    return; /* reported of the wrong type */
  core_v1_validate_enum (protocol, protocols, TRUE, field, errors);
}

/* Checks the string member @member of @object as an IP address. */
void
core_v1_validate_ip_member (JsonObject *object,
                            const char *member,
                            const char *path,
                            gboolean required,
                            TimonFieldErrors *errors)
{
  g_autofree char *field = timon_resource_path (path, member);
  const char *ip = timon_resource_get_string (object, member, path, errors);

  if (ip == NULL && !timon_resource_member_is_unset (object, member))
    return; /* reported of the wrong type */
  if (ip == NULL || ip[0] == '\0') {
    if (required)
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, field, NULL, NULL);
    return;
  }
  if (!core_v1_is_ip (ip))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, ip,
                            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
}
