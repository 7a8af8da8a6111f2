// What the supervisor and its children need from the OS to be processes of a daemon: pid
// files, detaching from the terminal, starting a child as a fresh copy of this program, and
// handing it the configuration snapshot through an anonymous file.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace vigil::os {

// Writes `pid` to `path` atomically: a new file beside it (O_EXCL, O_NOFOLLOW, mode 0644
// whatever the umask) renamed over it, so that a reader never sees a partial file and a
// symlink planted at `path` is replaced, not followed.
bool WritePidFile(const std::string& path, pid_t pid, std::string* error);
// Writes `bytes` to `path` the same way, with `mode` (0600 for what holds secrets).
bool WriteFileAtomic(const std::string& path, const std::string& bytes, mode_t mode,
                     std::string* error);
// Reads a regular file that is not a symlink.
std::optional<std::string> ReadFileNoFollow(const std::string& path, std::string* error);
// The pid in `path` if that process is alive and is not this one (a daemon already running).
// A symlink, a non-regular file or garbage reads as nothing.
std::optional<pid_t> LivePidInFile(const std::string& path);
// Removes `path` if it still names `pid` (not a file a newer daemon wrote since).
void RemovePidFile(const std::string& path, pid_t pid);

// keepalived's daemon(): fork (the parent exits 0 at once), a new session, stdin, stdout and
// stderr on /dev/null. Returns false (in the original process) if fork failed.
bool Daemonize(std::string* error);

// An anonymous in-memory file (memfd) holding `bytes`, readable from offset 0, inherited
// across exec. Returns -1 and sets *error on failure.
int BytesToInheritedFd(const std::string& bytes, std::string* error);
// Reads all of descriptor `fd` from offset 0 and closes it.
std::optional<std::string> ReadAllAndClose(int fd, std::string* error);

// fork + exec of this very program (/proc/self/exe) with `argv` and the current environment
// plus `env` ("NAME=value"). The descriptors `pass` become 3, 4, ... in the child, in their
// order; every other one but 0, 1 and 2 is closed. Returns the child's pid, or -1 with *error.
pid_t SpawnSelf(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                const std::vector<int>& pass, std::string* error);

// A pipe for a child's "I am ready" (a byte on the write end, passed to the child); both
// ends close-on-exec in this process. False with *error on failure.
bool ReadinessPipe(int fds[2], std::string* error);

// The child side: SIGTERM when the parent dies (and false if `parent` is already gone, so the
// child should not start at all).
bool DieWithParent(pid_t parent);
// Orphaned descendants (scripts of a crashed child) are reparented to, and reaped by, us.
void BecomeSubreaper();
// The kernel's name for this process (ps, top; 15 characters at most).
void SetProcessName(const std::string& name);

}  // namespace vigil::os
