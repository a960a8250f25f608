#!/usr/bin/python3
"""Driver of the many mobile nodes of testing/scenarios/mif-scale.

One process for what would otherwise cost a swanctl or mifctl process per
mobile node (0.5-1 s each under TCG): it talks to every node's charon over
its vici socket and the mif plugin's control socket, which the harness
keeps below /run/mif/hosts/<host>/run/ (testing/probe/mif-hostexec.c).

  scale.py hosts N CONF...     host dirs mn1..mnN (+ mnx): run/, swanctl/,
                               strongswan.conf -> the first CONF
  scale.py conf N CONF         point every node's strongswan.conf at CONF
  scale.py load N [extra]      load the PSK and the connection "scale" into
                               mn1..mnN, its CHILD SA "main" started at once
                               (start_action), "extra" (stock phase) not
  scale.py initiate N CHILD    initiate CHILD on mn1..mnN without waiting
  scale.py addpaths N          mifctl add of wlan0's and lte0's address of
                               every node (plugin option announce = no)
  scale.py connect HOST        load and initiate HOST's IKE SA, waiting;
                               prints the seconds it took
  scale.py terminate HOST      terminate HOST's IKE SA
Addresses: node i has 10.1.A.B on wlan0 and 10.2.A.B on lte0, A.B = i + 10
(mn_addr below; topology.sh uses the same numbering). The vici Python
package comes from the configured strongSwan source tree.
"""
import os
import socket
import sys
import time

SRC = os.environ.get("MIF_SS_SOURCE", "/var/cache/strongswan-mif/strongswan-5.9.8")
sys.path.insert(0, SRC + "/src/libcharon/plugins/vici/python")
import vici  # noqa: E402

STATE = "/run/mif/hosts"
PSK = b"scale-psk-strongswan-mif-many-mobile-nodes"
GW = "10.0.0.1"


def mn_addr(net, i):
    a = i + 10
    return "10.%d.%d.%d" % (net, a >> 8, a & 255)


def names(n):
    return ["mn%d" % i for i in range(1, n + 1)]


def session(host):
    s = socket.socket(socket.AF_UNIX)
    s.connect("%s/%s/run/charon.vici" % (STATE, host))
    return vici.Session(s), s


def conn(extra):
    children = {
        "main": {"remote_ts": ["10.8.0.0/24"], "esp_proposals": ["aes128-sha256"],
                 "start_action": "start"},
    }
    if extra:
        children["extra"] = {"remote_ts": ["10.9.0.0/24"],
                             "esp_proposals": ["aes128-sha256"]}
    return {"scale": {
        "remote_addrs": [GW], "vips": ["0.0.0.0"],
        "proposals": ["aes128-sha256-x25519"],
        "local": {"auth": "psk"},
        "remote": {"auth": "psk", "id": GW},
        "children": children,
    }}


def cmd_hosts(n, confs):
    for h in names(n) + ["mnx"]:
        d = "%s/%s" % (STATE, h)
        os.makedirs(d + "/run", exist_ok=True)
        os.makedirs(d + "/swanctl", exist_ok=True)
    cmd_conf(n, confs[0])


def cmd_conf(n, conf):
    for h in names(n) + ["mnx"]:
        link = "%s/%s/strongswan.conf" % (STATE, h)
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(conf, link)


def load(host, extra, start=True):
    v, s = session(host)
    v.load_shared({"id": "scale", "type": "IKE", "data": PSK})
    c = conn(extra)
    if not start:
        del c["scale"]["children"]["main"]["start_action"]
    v.load_conn(c)
    s.close()


def cmd_load(n, extra):
    bad = 0
    for h in names(n):
        try:
            load(h, extra)
        except Exception as e:  # report, go on with the others
            bad += 1
            print("%s: load failed: %s" % (h, e), file=sys.stderr)
    print("loaded %d of %d" % (n - bad, n))
    return 1 if bad else 0


def cmd_initiate(n, child):
    bad = 0
    for h in names(n):
        try:
            v, s = session(h)
            for _ in v.initiate({"child": child, "timeout": "-1"}):
                pass
            s.close()
        except Exception as e:
            bad += 1
            print("%s: initiate failed: %s" % (h, e), file=sys.stderr)
    print("initiated %d of %d" % (n - bad, n))
    return 1 if bad else 0


def control(host, line):
    s = socket.socket(socket.AF_UNIX)
    s.connect("%s/%s/run/charon.mif" % (STATE, host))
    s.sendall((line + "\n").encode())
    out = b""
    while not out.endswith(b"\n"):
        b = s.recv(4096)
        if not b:
            break
        out += b
    s.close()
    return out.decode().strip()


def ike_id(host):
    v, s = session(host)
    ids = [sa[name]["uniqueid"] for sa in v.list_sas() for name in sa]
    s.close()
    return ids[0].decode() if ids else None


def cmd_addpaths(n):
    bad = 0
    for i, h in enumerate(names(n), 1):
        try:
            ike = "1"
            for net in (1, 2):
                r = control(h, "text add %s %s" % (ike, mn_addr(net, i)))
                if r.startswith("error") and net == 1:
                    ike = ike_id(h) or "1"
                    r = control(h, "text add %s %s" % (ike, mn_addr(net, i)))
                if r.startswith("error"):
                    raise RuntimeError(r)
        except Exception as e:
            bad += 1
            print("%s: add failed: %s" % (h, e), file=sys.stderr)
    print("paths added on %d of %d" % (n - bad, n))
    return 1 if bad else 0


def cmd_connect(host):
    load(host, False, start=False)
    v, s = session(host)
    t0 = time.monotonic()
    ok = False
    for _ in v.initiate({"child": "main", "timeout": "60000"}):
        pass
    ok = True
    dt = time.monotonic() - t0
    s.close()
    print("%.3f" % dt)
    return 0 if ok else 1


def cmd_terminate(host):
    v, s = session(host)
    for _ in v.terminate({"ike": "scale", "timeout": "10000"}):
        pass
    s.close()
    return 0


def main(argv):
    c = argv[1]
    if c == "hosts":
        return cmd_hosts(int(argv[2]), argv[3:]) or 0
    if c == "conf":
        return cmd_conf(int(argv[2]), argv[3]) or 0
    if c == "load":
        return cmd_load(int(argv[2]), len(argv) > 3 and argv[3] == "extra")
    if c == "initiate":
        return cmd_initiate(int(argv[2]), argv[3])
    if c == "addpaths":
        return cmd_addpaths(int(argv[2]))
    if c == "connect":
        return cmd_connect(argv[2])
    if c == "terminate":
        return cmd_terminate(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
