"""Pins the public names of lwt.io, so that a change to them is deliberate."""

from __future__ import annotations

import inspect

import lwt.io

EXPECTED = [
    "BE",
    "ChannelClosed",
    "DirectAccess",
    "InputChannel",
    "LE",
    "OutputChannel",
    "Server",
    "abort",
    "atomic",
    "block",
    "buffer_size",
    "buffered",
    "chars_of_file",
    "chars_to_file",
    "close",
    "create_temp_dir",
    "default_buffer_size",
    "delete_recursively",
    "direct_access",
    "eprint",
    "eprintf",
    "eprintl",
    "eprintlf",
    "establish_server_with_client_address",
    "establish_server_with_client_socket",
    "file_length",
    "flush",
    "flush_all",
    "fprint",
    "fprintf",
    "fprintl",
    "fprintlf",
    "hexdump",
    "hexdump_stream",
    "input",
    "is_busy",
    "is_closed",
    "length",
    "lines_of_file",
    "lines_to_file",
    "make",
    "mode",
    "null",
    "of_bytes",
    "of_fd",
    "of_unix_fd",
    "open_connection",
    "open_file",
    "open_temp_file",
    "output",
    "pipe",
    "position",
    "print",
    "printf",
    "printl",
    "printlf",
    "read",
    "read_char",
    "read_char_opt",
    "read_chars",
    "read_exactly",
    "read_float32",
    "read_float64",
    "read_int",
    "read_int16",
    "read_int32",
    "read_int64",
    "read_into",
    "read_into_exactly",
    "read_line",
    "read_line_opt",
    "read_lines",
    "read_value",
    "resize_buffer",
    "set_default_buffer_size",
    "set_position",
    "shutdown_server",
    "stderr",
    "stdin",
    "stdout",
    "system_byte_order",
    "with_connection",
    "with_file",
    "with_temp_dir",
    "with_temp_file",
    "write",
    "write_char",
    "write_chars",
    "write_float32",
    "write_float64",
    "write_from",
    "write_from_exactly",
    "write_from_string",
    "write_from_string_exactly",
    "write_int",
    "write_int16",
    "write_int32",
    "write_int64",
    "write_line",
    "write_lines",
    "write_value",
    "zero",
]


def test_all_lists_exactly_the_public_names() -> None:
    assert sorted(lwt.io.__all__) == EXPECTED


def test_every_channel_first_method_is_also_a_module_function() -> None:
    """API.md section 2: ``lwt.io.f(ch, ...)`` is ``ch.f(...)`` for each channel method."""
    methods = {
        name
        for cls in (lwt.io.InputChannel, lwt.io.OutputChannel)
        for name in vars(cls)
        if not name.startswith("_") and callable(getattr(cls, name))
    }
    missing = sorted(name for name in methods if not callable(getattr(lwt.io, name, None)))
    assert missing == []


PROCESS_EXPECTED = [
    "Close",
    "Command",
    "Dev_null",
    "Exited",
    "FD_copy",
    "FD_move",
    "Keep",
    "Process",
    "ProcessFull",
    "ProcessIn",
    "ProcessNone",
    "ProcessOut",
    "Redirection",
    "Running",
    "State",
    "Status",
    "exec",
    "open_process",
    "open_process_full",
    "open_process_in",
    "open_process_none",
    "open_process_out",
    "pmap",
    "pmap_chars",
    "pmap_line",
    "pmap_lines",
    "pread",
    "pread_chars",
    "pread_line",
    "pread_lines",
    "pwrite",
    "pwrite_chars",
    "pwrite_line",
    "pwrite_lines",
    "shell",
    "with_process",
    "with_process_full",
    "with_process_in",
    "with_process_none",
    "with_process_out",
]


def test_process_module_lists_exactly_lwt_process_names() -> None:
    import lwt.io.process as process

    assert sorted(process.__all__) == PROCESS_EXPECTED
    for name in process.__all__:
        obj = getattr(process, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):  # not the type aliases
            assert obj.__module__ == "lwt.io.process", name
            assert obj.__doc__, f"{name} has no docstring"
