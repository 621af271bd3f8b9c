#!/usr/bin/env python3
"""Drive an interactive program through a pseudo-terminal, as a person at a terminal would.

usage: pty_drive.py '<json steps>' cmd [args...]
steps: [{"expect": "<regex>", "send": "<text>"}, ...]; each expect waits (15 s max) for the regex in the
output seen so far (ANSI escapes removed), then types `send`. Prints the transcript; exits with the
child's exit code, or 99 when an expectation times out.
"""
import json, os, pty, re, select, sys, time

ANSI = re.compile(r'\x1b\[[0-9;?]*[ -/]*[@-~]')

def main():
    steps = json.loads(sys.argv[1])
    cmd = sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    seen = ''
    pos = 0

    def pump(timeout):
        nonlocal seen
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return True
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        seen += ANSI.sub('', data.decode('utf-8', 'replace'))
        return True

    for step in steps:
        deadline = time.time() + 15
        pattern = re.compile(step['expect'])
        while True:
            m = pattern.search(seen, pos)
            if m:
                pos = m.end()
                break
            if time.time() > deadline or not pump(0.2):
                sys.stdout.write(seen)
                sys.stdout.write('\n[pty_drive] timed out waiting for: %s\n' % step['expect'])
                os.kill(pid, 9)
                sys.exit(99)
        time.sleep(0.05)
        os.write(fd, step['send'].encode())
    while pump(0.5):
        pass
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(seen)
    sys.exit(os.waitstatus_to_exitcode(status))

main()
