"""A fast webhook receiver for bench/webhooks.py: HTTP/1.1 keep-alive on
asyncio, answers 204 to every POST and records (arrival time, webhook-id,
the change's occurred_at). `GET /records?from=N` returns the records from
the N-th on, as JSON. Usage: python3 bench/receiver.py PORT
"""

import asyncio
import json
import re
import sys
import time
from datetime import datetime

OCCURRED = re.compile(rb'"occurred_at":"([^"]+)"')
records = []


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            method, target = lines[0].split(b" ")[:2]
            headers = {}
            for line in lines[1:]:
                if b":" in line:
                    k, v = line.split(b":", 1)
                    headers[k.strip().lower()] = v.strip()
            body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
            if method == b"GET":
                start = int(target.split(b"from=")[-1]) if b"from=" in target else 0
                out = json.dumps(records[start:]).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(out), out))
            else:
                m = OCCURRED.search(body)
                occurred = datetime.fromisoformat(m.group(1).decode()).timestamp() if m else 0.0
                records.append((time.time(), headers.get(b"webhook-id", b"").decode(), occurred))
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


asyncio.run(main(int(sys.argv[1])))
