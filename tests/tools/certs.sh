# Certificates made by openssl at test time, for the tls and credential
# tests (sourced, not run). openssl 3.0 has no x509 -not_before/-not_after
# and no faketime here: `openssl ca -startdate/-enddate` sets any validity,
# past or future, on a certificate signed by a throwaway test CA.

# cert_when OFFSET: a time for openssl ca, e.g. cert_when '-3 days'.
cert_when() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

# cert_ca DIR: a test CA in DIR (DIR/ca.pem, DIR/ca.key, its database).
cert_ca() {
	local dir=$1
	mkdir -p "$dir/newcerts"
	: >"$dir/index.txt"
	echo 01 >"$dir/serial"
	cat >"$dir/ca.cnf" <<CNF
[ca]
default_ca = testca
[testca]
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = copy
[anything]
commonName = supplied
CNF
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$dir/ca.key" -out "$dir/ca.pem" -subj "/CN=Test CA" \
		-days 3650 2>"$dir/openssl.log"
}

# cert_issue DIR NAME CN FROM UNTIL [SAN]: DIR/NAME.pem and DIR/NAME.key,
# signed by DIR's CA, valid from FROM until UNTIL (date -d offsets, e.g.
# '-1 hour' '+3 days'); SAN defaults to localhost and 127.0.0.1.
cert_issue() {
	local dir=$1 name=$2 cn=$3 from=$4 until=$5
	local san=${6:-DNS:localhost,IP:127.0.0.1}
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$cn" \
		-addext "subjectAltName=$san" 2>>"$dir/openssl.log"
	openssl ca -config "$dir/ca.cnf" -batch -notext \
		-startdate "$(cert_when "$from")" -enddate "$(cert_when "$until")" \
		-in "$dir/$name.csr" -out "$dir/$name.pem" 2>>"$dir/openssl.log"
}

# cert_self DIR NAME CN DAYS: a self-signed DIR/NAME.pem and DIR/NAME.key
# for localhost and 127.0.0.1.
cert_self() {
	local dir=$1 name=$2 cn=$3 days=$4
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$dir/$name.key" -out "$dir/$name.pem" -subj "/CN=$cn" \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
		-days "$days" 2>>"$dir/openssl.log"
}
