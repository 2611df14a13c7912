"""Independent check of a WARC file written by sitelift, using warcio.

Usage: python3 tests/warc_check.py FILE N

Iterates FILE with warcio's ArchiveIterator (digest checking set to
'raise'), checks that it opens with a warcinfo record, that request and
response records alternate with matching target URIs and that every
block and payload digest verifies (warcio's own check plus a SHA-1 we
compute over the payload), and that there are exactly N responses.

Prints one line per response: 'response<TAB>offset<TAB>length<TAB>uri',
then a summary line. Exit codes: 0 ok, 1 check failed, 3 warcio missing.
"""

import base64
import hashlib
import sys

try:
    from warcio.archiveiterator import ArchiveIterator
except ImportError:
    print("SKIP: python package warcio is not installed (pip install warcio)")
    sys.exit(3)


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def main():
    if len(sys.argv) != 3:
        fail("usage: warc_check.py FILE N")
    path, expected = sys.argv[1], int(sys.argv[2])
    types = []
    responses = 0
    last_request_uri = None
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, check_digests="raise")
        for record in it:
            kind = record.rec_type
            types.append(kind)
            uri = record.rec_headers.get_header("WARC-Target-URI")
            raw = record.raw_stream.read()
            it.read_to_end(record)
            offset = it.get_record_offset()
            checker = record.digest_checker
            if checker.problems:
                fail("digest problems at offset %d: %s" % (offset, checker.problems))
            if kind in ("request", "response") and checker.passed is not True:
                fail("no digest verified at offset %d" % offset)
            if kind == "request":
                last_request_uri = uri
            elif kind == "response":
                if uri != last_request_uri:
                    fail("response %s does not follow its request" % uri)
                declared = record.rec_headers.get_header("WARC-Payload-Digest")
                ours = "sha1:" + base64.b32encode(hashlib.sha1(raw).digest()).decode()
                if declared != ours:
                    fail("payload digest %s != computed %s" % (declared, ours))
                if record.http_headers is None or not record.http_headers.get_statuscode():
                    fail("response without HTTP status at offset %d" % offset)
                if record.http_headers.get_header("Transfer-Encoding"):
                    fail("stored head keeps Transfer-Encoding at offset %d" % offset)
                length = it.get_record_length()
                print("response\t%d\t%d\t%s" % (offset, length, uri))
                responses += 1
            elif kind != "warcinfo":
                fail("unexpected record type %s" % kind)
    if not types or types[0] != "warcinfo":
        fail("file does not start with warcinfo: %s" % types[:3])
    if responses != expected:
        fail("expected %d responses, found %d" % (expected, responses))
    print("OK: %d records, %d responses, all digests verified" % (len(types), responses))


if __name__ == "__main__":
    main()
