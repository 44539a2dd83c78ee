/*
 * LD_PRELOAD library for BlueZ's controller emulator (btvirt) in the emulated-HCI test tier.
 * test/hci-emulation/emulator-build.ts compiles it; test/hci-emulation/btvirt.ts preloads it. Three jobs:
 *
 * 1. A private socket folder per run. btvirt always serves /tmp/bt-server-{le,bredrle,bredr,amp,mon}, so two test
 *    runs on one machine would clobber each other's sockets. bind() and unlink() of those paths are redirected into
 *    $BTVIRT_SOCKET_DIR (a fresh temporary folder of the run), which only that run knows.
 * 2. AF_ALG where the kernel has none. btvirt creates an LE controller only if socket(AF_ALG) and its bind() work
 *    (it prepares AES/CMAC for pairing); on kernels without AF_ALG it drops every LE client right after accept.
 *    When the real socket() refuses AF_ALG, a placeholder descriptor stands in and its bind() succeeds. Plain LE
 *    never uses the crypto; pairing and encryption cannot work then (the tier uses neither).
 * 3. No orphans. btvirt gets SIGTERM when the test process that started it dies (even by SIGKILL), and on its way
 *    out removes the sockets it made and the run folder, so a crashed run leaves nothing behind.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif

static const char served_prefix[] = "/tmp/bt-server-";
static const char *socket_dir;
static char made[8][PATH_MAX];
static int made_count;
static int placeholders[16];
static int placeholder_count;

__attribute__((constructor)) static void on_load(void)
{
	socket_dir = getenv("BTVIRT_SOCKET_DIR");
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

__attribute__((destructor)) static void on_exit_remove_sockets(void)
{
	for (int i = 0; i < made_count; i++)
		unlink(made[i]);
	if (socket_dir)
		rmdir(socket_dir);
}

/* The path inside the run's folder for one of btvirt's fixed server paths, or NULL to leave the path alone. */
static const char *redirected(const char *path, char *out, size_t size)
{
	if (!socket_dir || strncmp(path, served_prefix, sizeof(served_prefix) - 1) != 0)
		return NULL;
	int written = snprintf(out, size, "%s/%s", socket_dir, path + strlen("/tmp/"));
	return written > 0 && (size_t)written < size ? out : NULL;
}

int socket(int domain, int type, int protocol)
{
	static int (*real_socket)(int, int, int);
	if (!real_socket)
		real_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	int fd = real_socket(domain, type, protocol);
	if (fd >= 0 || domain != AF_ALG || errno != EAFNOSUPPORT)
		return fd;
	fd = real_socket(AF_UNIX, SOCK_SEQPACKET | (type & SOCK_CLOEXEC), 0);
	if (fd >= 0 && placeholder_count < (int)(sizeof(placeholders) / sizeof(placeholders[0])))
		placeholders[placeholder_count++] = fd;
	return fd;
}

static int is_placeholder(int fd)
{
	for (int i = 0; i < placeholder_count; i++)
		if (placeholders[i] == fd)
			return 1;
	return 0;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	static int (*real_bind)(int, const struct sockaddr *, socklen_t);
	if (!real_bind)
		real_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
	if (is_placeholder(fd))
		return 0;
	if (addr && addr->sa_family == AF_UNIX) {
		const struct sockaddr_un *unix_addr = (const struct sockaddr_un *)addr;
		char path[PATH_MAX];
		if (redirected(unix_addr->sun_path, path, sizeof(path)) && strlen(path) < sizeof(unix_addr->sun_path)) {
			struct sockaddr_un moved = *unix_addr;
			strcpy(moved.sun_path, path);
			int result = real_bind(fd, (const struct sockaddr *)&moved, sizeof(moved));
			if (result == 0 && made_count < (int)(sizeof(made) / sizeof(made[0])))
				strcpy(made[made_count++], path);
			return result;
		}
	}
	return real_bind(fd, addr, len);
}

int unlink(const char *path)
{
	static int (*real_unlink)(const char *);
	if (!real_unlink)
		real_unlink = (int (*)(const char *))dlsym(RTLD_NEXT, "unlink");
	char moved[PATH_MAX];
	const char *target = redirected(path, moved, sizeof(moved));
	return real_unlink(target ? target : path);
}
