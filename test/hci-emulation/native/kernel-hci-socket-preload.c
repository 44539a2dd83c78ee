/*
 * LD_PRELOAD library that plays the kernel's raw HCI socket for the real native socket modules
 * (@stoprocent/bluetooth-hci-socket's prebuilt binary, @abandonware/bluetooth-hci-socket's build) in the emulated-HCI
 * tier (test/hci-emulation/native-sockets.test.ts). The rest of the tier replaces the socket module with a userland
 * one; here the modules' own C++ runs, and only the kernel below them is emulated, over a btvirt controller:
 *
 * - socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI) returns one end of a unix SOCK_SEQPACKET pair, so every read() is one
 *   HCI packet with its H4 type byte first, as from the kernel;
 * - bind() to hciN on the raw channel connects the other end to the controller at $HCI_EMULATION_SERVER, resets it
 *   (the kernel has initialised a raw-mode device; the Command Complete is swallowed), and relays packets both ways
 *   in a thread, applying the socket filter as the kernel does (net/bluetooth/hci_sock.c, is_filtered_packet);
 * - ioctl HCIGETDEVINFO / HCIGETDEVLIST say the device is up while the controller connection lasts;
 *   setsockopt(SOL_HCI, HCI_FILTER) sets the filter;
 * - system() of the modules' debugfs writes (/sys/kernel/debug/bluetooth/…, connection parameters) does nothing.
 *
 * Not emulated: L2CAP sockets. Both modules open one to have the kernel create an LE connection; socket() for it
 * reaches the real kernel, which refuses it, and both then send LE Create Connection on the raw socket themselves.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define AF_BLUETOOTH_ 31
#define BTPROTO_HCI_ 1
#define SOL_HCI_ 0
#define HCI_FILTER_ 2
#define HCI_CHANNEL_RAW_ 0
#define HCIGETDEVLIST_ _IOR('H', 210, int)
#define HCIGETDEVINFO_ _IOR('H', 211, int)
#define HCI_UP_FLAG 1u
#define H4_COMMAND 0x01
#define H4_ACL 0x02
#define H4_EVENT 0x04
#define EVENT_COMMAND_COMPLETE 0x0e
#define EVENT_COMMAND_STATUS 0x0f
#define OPCODE_RESET 0x0c03
#define MAX_SOCKETS 16

/* The kernel's structures (include/net/bluetooth/hci_sock.h), laid out as the modules declare them. */
struct hci_dev_info_ {
	uint16_t dev_id;
	char name[8];
	uint8_t bdaddr[6];
	uint32_t flags;
	uint8_t type;
	uint8_t features[8];
	uint32_t pkt_type, link_policy, link_mode;
	uint16_t acl_mtu, acl_pkts, sco_mtu, sco_pkts;
	uint32_t stat[10];
};
struct hci_dev_req_ {
	uint16_t dev_id;
	uint32_t dev_opt;
};
struct hci_dev_list_req_ {
	uint16_t dev_num;
	struct hci_dev_req_ dev_req[];
};
struct hci_filter_ {
	uint32_t type_mask;
	uint32_t event_mask[2];
	uint16_t opcode;
};

struct hci_socket {
	int app_fd;  /* what the module holds */
	int peer_fd; /* the other end of the pair, read and written by the relay */
	int controller_fd;
	uint16_t dev_id;
	volatile int up;
	int awaiting_reset;
	struct hci_filter_ filter;
	int filter_set;
};

/* Open emulated sockets by the module's descriptor. A bound one belongs to its relay thread, which frees it. */
static struct hci_socket *sockets[MAX_SOCKETS];
static pthread_mutex_t sockets_lock = PTHREAD_MUTEX_INITIALIZER;
static int (*real_socket)(int, int, int);
static int (*real_bind)(int, const struct sockaddr *, socklen_t);
static int (*real_ioctl)(int, unsigned long, ...);
static int (*real_setsockopt)(int, int, int, const void *, socklen_t);
static int (*real_close)(int);
static int (*real_system)(const char *);

__attribute__((constructor)) static void on_load(void)
{
	real_socket = dlsym(RTLD_NEXT, "socket");
	real_bind = dlsym(RTLD_NEXT, "bind");
	real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	real_setsockopt = dlsym(RTLD_NEXT, "setsockopt");
	real_close = dlsym(RTLD_NEXT, "close");
	real_system = dlsym(RTLD_NEXT, "system");
}

/* The slot of fd's emulated socket (fd -1: a free slot), or NULL. Call with the lock held. */
static struct hci_socket **slot_of(int fd)
{
	for (int i = 0; i < MAX_SOCKETS; i++)
		if (fd < 0 ? sockets[i] == NULL : sockets[i] != NULL && sockets[i]->app_fd == fd)
			return &sockets[i];
	return NULL;
}

static struct hci_socket *find(int fd)
{
	pthread_mutex_lock(&sockets_lock);
	struct hci_socket **slot = fd < 0 ? NULL : slot_of(fd);
	struct hci_socket *s = slot ? *slot : NULL;
	pthread_mutex_unlock(&sockets_lock);
	return s;
}

int socket(int domain, int type, int protocol)
{
	if (domain != AF_BLUETOOTH_ || protocol != BTPROTO_HCI_ || (type & 0xf) != SOCK_RAW)
		return real_socket(domain, type, protocol);
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | (type & SOCK_CLOEXEC), 0, pair) < 0)
		return -1;
	struct hci_socket *s = calloc(1, sizeof(*s));
	pthread_mutex_lock(&sockets_lock);
	struct hci_socket **slot = s ? slot_of(-1) : NULL;
	if (slot) {
		s->app_fd = pair[0];
		s->peer_fd = pair[1];
		s->controller_fd = -1;
		*slot = s;
	}
	pthread_mutex_unlock(&sockets_lock);
	if (!slot) {
		free(s);
		real_close(pair[0]);
		real_close(pair[1]);
		errno = ENFILE;
		return -1;
	}
	return pair[0];
}

static int is_filtered(struct hci_socket *s, const uint8_t *packet)
{
	if (!s->filter_set)
		return 0;
	uint8_t type = packet[0];
	if (!(s->filter.type_mask & (1u << (type & 31))))
		return 1;
	if (type != H4_EVENT)
		return 0;
	uint8_t event = packet[1];
	if (!(s->filter.event_mask[event >> 5] & (1u << (event & 31))))
		return 1;
	if (!s->filter.opcode)
		return 0;
	if (event == EVENT_COMMAND_COMPLETE)
		return (packet[4] | packet[5] << 8) != s->filter.opcode;
	if (event == EVENT_COMMAND_STATUS)
		return (packet[5] | packet[6] << 8) != s->filter.opcode;
	return 0;
}

/* Length of the H4 packet at the start of buf, 0 if it is not complete yet, -1 if it is no event or ACL packet. */
static long packet_length(const uint8_t *buf, size_t have)
{
	if (have < 1)
		return 0;
	if (buf[0] == H4_EVENT)
		return have < 3 ? 0 : 3 + (long)buf[2];
	if (buf[0] == H4_ACL)
		return have < 5 ? 0 : 5 + (long)(buf[3] | buf[4] << 8);
	return -1;
}

static int write_all(int fd, const uint8_t *data, size_t length)
{
	while (length > 0) {
		ssize_t n = send(fd, data, length, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		length -= (size_t)n;
	}
	return 0;
}

/* Controller -> module: one H4 packet per message; module -> controller: each message as it is. */
static void *relay(void *arg)
{
	struct hci_socket *s = arg;
	int peer = s->peer_fd, controller = s->controller_fd;
	uint8_t stream[1 << 16], packet[1 << 16];
	size_t have = 0;
	struct pollfd fds[2] = { { controller, POLLIN, 0 }, { peer, POLLIN, 0 } };
	while (poll(fds, 2, -1) >= 0 || errno == EINTR) {
		if (fds[0].revents) {
			ssize_t n = read(controller, stream + have, sizeof(stream) - have);
			if (n <= 0)
				break;
			have += (size_t)n;
			long length;
			while ((length = packet_length(stream, have)) > 0 && (size_t)length <= have) {
				int reset_done = s->awaiting_reset && stream[0] == H4_EVENT &&
						 stream[1] == EVENT_COMMAND_COMPLETE &&
						 (stream[4] | stream[5] << 8) == OPCODE_RESET;
				if (reset_done)
					s->awaiting_reset = 0;
				else if (!is_filtered(s, stream) && write_all(peer, stream, (size_t)length) < 0)
					goto done;
				have -= (size_t)length;
				memmove(stream, stream + length, have);
			}
			if (length < 0)
				break;
		}
		if (fds[1].revents) {
			ssize_t n = recv(peer, packet, sizeof(packet), 0);
			if (n <= 0)
				goto done;
			if (write_all(controller, packet, (size_t)n) < 0)
				break;
		}
	}
	/* The controller went away: the device is down, as a removed adapter is, until the module closes its socket. */
	s->up = 0;
	real_close(controller);
	while (recv(peer, packet, sizeof(packet), 0) > 0)
		;
done:
	/* The module closed its socket (close() has forgotten it). */
	real_close(peer);
	free(s);
	return NULL;
}

int bind(int fd, const struct sockaddr *address, socklen_t length)
{
	struct hci_socket *s = find(fd);
	if (!s)
		return real_bind(fd, address, length);
	const uint16_t *hci = (const uint16_t *)address; /* family, dev, channel */
	if (length < 6 || hci[2] != HCI_CHANNEL_RAW_) {
		errno = EINVAL;
		return -1;
	}
	const char *server = getenv("HCI_EMULATION_SERVER");
	struct sockaddr_un controller = { .sun_family = AF_UNIX };
	int fd_controller = real_socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!server || fd_controller < 0 || strlen(server) >= sizeof(controller.sun_path)) {
		errno = ENODEV;
		return -1;
	}
	strcpy(controller.sun_path, server);
	if (connect(fd_controller, (struct sockaddr *)&controller, sizeof(controller)) < 0) {
		real_close(fd_controller);
		errno = ENODEV;
		return -1;
	}
	s->controller_fd = fd_controller;
	s->dev_id = hci[1];
	s->awaiting_reset = 1;
	s->up = 1;
	const uint8_t reset[] = { H4_COMMAND, OPCODE_RESET & 0xff, OPCODE_RESET >> 8, 0 };
	write_all(fd_controller, reset, sizeof(reset));
	pthread_t thread;
	if (pthread_create(&thread, NULL, relay, s) != 0) {
		errno = ENOMEM;
		return -1;
	}
	pthread_detach(thread);
	return 0;
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list args;
	va_start(args, request);
	void *arg = va_arg(args, void *);
	va_end(args);
	struct hci_socket *s = find(fd);
	if (!s)
		return real_ioctl(fd, request, arg);
	if (request == HCIGETDEVINFO_) {
		struct hci_dev_info_ *info = arg;
		uint16_t dev_id = info->dev_id;
		memset(info, 0, sizeof(*info));
		info->dev_id = dev_id;
		strcpy(info->name, "hci0");
		info->name[3] = (char)('0' + dev_id % 10);
		info->flags = s->up && dev_id == s->dev_id ? HCI_UP_FLAG : 0;
		return 0;
	}
	if (request == HCIGETDEVLIST_) {
		struct hci_dev_list_req_ *list = arg;
		if (list->dev_num < 1) {
			errno = EINVAL;
			return -1;
		}
		list->dev_num = 1;
		list->dev_req[0].dev_id = s->dev_id;
		list->dev_req[0].dev_opt = s->up ? HCI_UP_FLAG : 0;
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

int setsockopt(int fd, int level, int name, const void *value, socklen_t length)
{
	struct hci_socket *s = find(fd);
	if (!s || level != SOL_HCI_)
		return real_setsockopt(fd, level, name, value, length);
	if (name != HCI_FILTER_ || length < sizeof(struct hci_filter_)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(&s->filter, value, sizeof(struct hci_filter_));
	s->filter_set = 1;
	return 0;
}

int close(int fd)
{
	pthread_mutex_lock(&sockets_lock);
	struct hci_socket **slot = fd < 0 ? NULL : slot_of(fd);
	struct hci_socket *s = slot ? *slot : NULL;
	if (slot)
		*slot = NULL;
	pthread_mutex_unlock(&sockets_lock);
	/* A bound socket's relay sees the close and frees it; a never-bound one has no relay. */
	if (s && s->controller_fd < 0) {
		real_close(s->peer_fd);
		free(s);
	}
	return real_close(fd);
}

int system(const char *command)
{
	if (command && strstr(command, "/sys/kernel/debug/bluetooth/"))
		return 0;
	return real_system(command);
}
