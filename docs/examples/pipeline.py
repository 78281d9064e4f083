"""A pipeline of child processes, like the shell's ``tr | sort | uniq -c``.

Run it with ``python docs/examples/pipeline.py``.  It shows the three ways
data can move between lwt and its children (see ``lwt.io.process``):

1. through lwt: ``pmap_lines`` feeds ``tr`` a stream of lines and gives back
   the stream of what ``tr`` writes;
2. around lwt: ``sort``'s standard output is an OS pipe whose other end is
   ``uniq``'s standard input, so those bytes never enter Python;
3. back into lwt: ``uniq -c``'s output is read line by line from a channel.

Every child is reaped by lwt; the program ends by printing each status.
"""

from __future__ import annotations

import os

import lwt.core as lwt
from lwt.core import stream
from lwt.io import process
from lwt.unix import main

WORDS = ["pear", "Apple", "fig", "apple", "PEAR", "pear", "Fig", "kiwi"]


def pipeline() -> lwt.Promise[tuple[list[str], list[object]]]:
    # Stage 1: upper-case the words with tr, through lwt's channels.
    shouted = process.pmap_lines(("", ["tr", "a-z", "A-Z"]), stream.of_list(WORDS))

    # Stages 2 and 3: sort | uniq -c, joined by a pipe lwt does not read.
    r, w = os.pipe()
    sort = process.open_process_out(("", ["sort"]), stdout=process.FD_move(w))
    uniq = process.open_process_in(("", ["uniq", "-c"]), stdin=process.FD_move(r))

    # Copy tr's output into sort's input, then close sort's input so that
    # sort (and after it, uniq) sees the end of the data.
    def feed() -> lwt.Promise[None]:
        return lwt.finalize(
            lambda: stream.iter_s(sort.stdin.write_line, shouted),
            sort.stdin.close,
        )

    # Read uniq's report while sort is still being fed: with a long input,
    # waiting for the feed to finish first could fill a pipe and stall.
    counted = stream.to_list(stream.map(str.strip, stream.from_(uniq.stdout.read_line_opt)))

    def finish(lines: list[str]) -> lwt.Promise[tuple[list[str], list[object]]]:
        statuses = lwt.all([sort.close(), uniq.close()])
        return statuses.map(lambda st: (lines, list(st)))

    return lwt.both(feed(), counted).bind(lambda pair: finish(pair[1]))


def main_() -> None:
    lines, statuses = main.run(pipeline())
    for line in lines:
        count, word = line.split()
        print(f"{word:<6} {count}")
    print("statuses:", ", ".join(repr(s) for s in statuses))


if __name__ == "__main__":
    main_()
