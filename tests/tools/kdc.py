"""A throwaway MIT Kerberos realm on loopback, from Debian's packages unpacked into ROOT
(tests/tools/krb5_packages.sh): its database, users and service keys in WORK, and its KDC
running until this process is killed or its standard input closes.

    kdc.py ROOT WORK [--realm NAME] [--offset SECONDS]

The realm is EWS.TEST unless --realm names another. The users (passwords required with
pre-authentication, as Active Directory does): alice (Summer-2026!). The services, whose
keys are in WORK/http.keytab: HTTP/localhost, HTTP/mail.ews.test. WORK/krb5.conf names the
realm and its KDC. --offset runs the KDC's clock SECONDS ahead. When the KDC is up, its port
is printed on standard output.
"""

import os
import socket
import subprocess
import sys
import threading
import time

def main(argv):
    root, work = argv[0], argv[1]
    offset = argv[argv.index("--offset") + 1] if "--offset" in argv else None
    realm = argv[argv.index("--realm") + 1] if "--realm" in argv else "EWS.TEST"
    lib = os.path.join(root, "usr/lib/x86_64-linux-gnu")
    sbin = os.path.join(root, "usr/sbin")
    os.makedirs(work, exist_ok=True)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with open(os.path.join(work, "krb5.conf"), "w") as f:
        f.write(
            f"[libdefaults]\n default_realm = {realm}\n dns_lookup_kdc = false\n"
            f" dns_lookup_realm = false\n rdns = false\n"
            f"[realms]\n {realm} = {{\n  kdc = 127.0.0.1:{port}\n }}\n"
        )
    with open(os.path.join(work, "kdc.conf"), "w") as f:
        f.write(
            f"[kdcdefaults]\n kdc_listen = 127.0.0.1:{port}\n kdc_tcp_listen = 127.0.0.1:{port}\n"
            f"[realms]\n {realm} = {{\n  database_name = {work}/principal\n"
            f"  key_stash_file = {work}/stash\n  acl_file = {work}/kadm5.acl\n }}\n"
            f"[dbmodules]\n db_module_dir = {lib}/krb5/plugins/kdb\n"
            f"[logging]\n kdc = FILE:{work}/kdc.log\n"
        )
    env = dict(
        os.environ,
        LD_LIBRARY_PATH=lib,
        KRB5_CONFIG=os.path.join(work, "krb5.conf"),
        KRB5_KDC_PROFILE=os.path.join(work, "kdc.conf"),
    )

    def run(*command):
        subprocess.run(command, env=env, check=True, capture_output=True)

    run(f"{sbin}/kdb5_util", "create", "-s", "-r", realm, "-P", "master-key")
    for query in [
        "addprinc +requires_preauth -pw Summer-2026! alice",
        "addprinc -randkey HTTP/localhost",
        "addprinc -randkey HTTP/mail.ews.test",
        f"ktadd -k {work}/http.keytab HTTP/localhost HTTP/mail.ews.test",
    ]:
        run(f"{sbin}/kadmin.local", "-r", realm, "-q", query)
    command = [f"{sbin}/krb5kdc", "-n", "-r", realm]
    if offset:
        command += ["-T", offset]
    kdc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The KDC is up once it accepts TCP connections.
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            if kdc.poll() is not None:
                sys.exit(f"krb5kdc ended with status {kdc.returncode}; see {work}/kdc.log")
            time.sleep(0.05)
    print(port, flush=True)
    # The KDC ends with this process's standard input (its parent gone) or this process.
    threading.Thread(target=lambda: (sys.stdin.read(), kdc.kill()), daemon=True).start()
    kdc.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
