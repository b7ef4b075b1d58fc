#!/usr/bin/env bash
# Unpacks MIT Kerberos (the KDC, its admin tools, the GSSAPI library) and python3-gssapi from
# Debian's packages into DIR, without installing anything: the Kerberos tests' realm and
# acceptor run from there (EWS_KRB5_ROOT=DIR). Needs apt-get (an apt-get update done).
#
#     tests/tools/krb5_packages.sh DIR
set -euo pipefail
dir="$1"
mkdir -p "$dir/debs"
cd "$dir/debs"
apt-get download -q \
    krb5-kdc krb5-admin-server krb5-user libkadm5srv-mit12 libkadm5clnt-mit12 libkdb5-10 \
    libgssrpc4 libverto1 libverto-libev1 libev4 libkrb5-3 libk5crypto3 libkrb5support0 \
    libgssapi-krb5-2 python3-gssapi python3-decorator >/dev/null
for deb in *.deb; do
    dpkg -x "$deb" "$dir"
done
test -x "$dir/usr/sbin/krb5kdc"
