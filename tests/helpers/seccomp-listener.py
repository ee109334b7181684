#!/usr/bin/env python3
"""seccomp-listener.py SOCKET OUT_JSON ERRNO: a minimal seccomp notify agent
for the tests. Listens on SOCKET, receives the runtime-spec container
process state message with the listener fd (SCM_RIGHTS), writes the message
to OUT_JSON, then answers every notified syscall with -ERRNO until the fd
closes."""
import array, fcntl, json, os, socket, struct, sys

NOTIF_RECV = 0xC0502100  # _IOWR('!', 0, struct seccomp_notif), 80 bytes
NOTIF_SEND = 0xC0182101  # _IOWR('!', 1, struct seccomp_notif_resp), 24 bytes

path, out, err = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    os.unlink(path)
except FileNotFoundError:
    pass
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path + ".tmp")
srv.listen(1)
os.rename(path + ".tmp", path)
conn, _ = srv.accept()
fds = array.array("i")
msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_LEN(fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
with open(out, "w") as f:
    json.dump({"message": json.loads(msg), "nfds": len(fds)}, f)
fd = fds[0]
while True:
    req = bytearray(80)
    try:
        fcntl.ioctl(fd, NOTIF_RECV, req, True)
    except OSError:
        break
    nid = struct.unpack_from("=Q", req, 0)[0]
    resp = bytearray(struct.pack("=QqiI", nid, 0, -err, 0))
    try:
        fcntl.ioctl(fd, NOTIF_SEND, resp, True)
    except OSError:
        pass
