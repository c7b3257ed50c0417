# ipc/: the FIFO bus — frames on the wire, the hub's mechanics, clients.
# Uses core/ only; the hub is handed its judge (reviewer/) by cmd/.
noinst_LIBRARIES += ipc/libagate_ipc.a
ipc_libagate_ipc_a_SOURCES = \
	ipc/busdir.c ipc/busdir.h \
	ipc/linebuf.c ipc/linebuf.h \
	ipc/pending.c ipc/pending.h \
	ipc/client.c ipc/client.h \
	ipc/hub.c ipc/hub.h \
	ipc/hub_requests.c ipc/hub_internal.h
