"""The ``"cli"`` debugger of ``jax.debug.breakpoint``: a ``pdb``-like prompt.

Commands: an expression (or ``p expr``) prints its ``repr`` evaluated in the
current frame, ``pp expr`` pretty-prints it, ``u``/``d`` move up/down the
frames, ``l`` lists the source around the line, ``w``/``bt`` print the
stack, ``c`` continues the program and ``q`` (or end of input) exits.
It reads ``stdin`` and writes ``stdout`` (the process's, unless given), so
it can be driven by a script:

  >>> import io
  >>> from jaxlite.debugger.core import DebuggerFrame
  >>> frame = DebuggerFrame("f.py", {"x": 2}, {}, None, ["x = 2"], 1, 0)
  >>> CliDebugger([frame], None, stdin=io.StringIO("p x * 3\\nc\\n")).run()
  Entering jdb:
  (jdb) 6
  (jdb) 
"""
from __future__ import annotations

import cmd
import pprint
import sys
import traceback
from typing import IO, Any

from jaxlite.debugger.core import DebuggerFrame, register_debugger

__all__ = ["CliDebugger", "run_debugger"]


class CliDebugger(cmd.Cmd):
  """A text-based debugger."""
  prompt = "(jdb) "

  def __init__(self, frames: list[DebuggerFrame], thread_id, stdin: IO[str] | None = None,
               stdout: IO[str] | None = None, completekey: str = "tab"):
    super().__init__(stdin=stdin, stdout=stdout, completekey=completekey)
    # With a given stdin, read lines from it (and echo no prompt input).
    self.use_rawinput = stdin is None
    self.frames = frames
    self.frame_index = 0
    self.thread_id = thread_id
    self.intro = "Entering jdb:"

  def current_frame(self):
    return self.frames[self.frame_index]

  def evaluate(self, expr):
    frame = self.current_frame()
    env = {**frame.globals, **frame.locals}
    return eval(expr, {}, env)  # noqa: S307 -- evaluating the user's expression is the point

  def _show(self, formatter, expr):
    try:
      print(formatter(self.evaluate(expr)), file=self.stdout)
    except BaseException:  # noqa: BLE001 -- any error is reported at the prompt
      self._error_message()

  def default(self, line):
    """Evaluates an expression."""
    self._show(repr, line)

  def print_backtrace(self):
    lines = ["Traceback:"]
    for frame in self.frames[::-1]:
      lines.append(f'  File "{frame.filename}", line {frame.lineno}')
      lines.append("    <no source>" if frame.offset is None
                   else f"    {frame.source[frame.offset].strip()}")
    print("\n".join(lines), file=self.stdout)

  def print_context(self, num_lines=2):
    frame = self.current_frame()
    lines = [f"> {frame.filename}({frame.lineno})"]
    if frame.offset is not None:
      for i, line in enumerate(frame.source):
        if frame.offset - 1 - num_lines <= i <= frame.offset + num_lines:
          lines.append(f"->  {line}" if i == frame.offset else f"    {line}")
    print("\n".join(lines), file=self.stdout)

  def _error_message(self):
    kind, value = sys.exc_info()[:2]
    print("***", traceback.format_exception_only(kind, value)[-1].strip(), file=self.stdout)

  def do_p(self, arg):
    """p expression
    Evaluates and prints the value of an expression
    """
    self._show(repr, arg)

  def do_pp(self, arg):
    """pp expression
    Evaluates and pretty-prints the value of an expression
    """
    self._show(pprint.pformat, arg)

  def do_up(self, arg, /):
    """u(p)
    Move up a stack frame.
    """
    if self.frame_index == len(self.frames) - 1:
      print("At topmost frame.", file=self.stdout)
    else:
      self.frame_index += 1
    self.print_context()
  do_u = do_up

  def do_down(self, arg, /):
    """d(own)
    Move down a stack frame.
    """
    if self.frame_index == 0:
      print("At bottommost frame.", file=self.stdout)
    else:
      self.frame_index -= 1
    self.print_context()
  do_d = do_down

  def do_list(self, _):
    """l(ist)
    List source code for the current file.
    """
    self.print_context(num_lines=5)
  do_l = do_list

  def do_continue(self, _):
    """c(ont(inue))
    Continue the program's execution.
    """
    return True
  do_c = do_cont = do_continue

  def do_quit(self, _):
    """q(uit)\n(exit)
    Quit the debugger. The program is given an exit command.
    """
    sys.exit(0)
  do_q = do_EOF = do_exit = do_quit

  def do_where(self, _):
    """w(here)
    Prints a stack trace with the most recent frame on the bottom.
    'bt' is an alias for this command.
    """
    self.print_backtrace()
  do_w = do_bt = do_where

  def run(self):
    """The prompt loop, until ``c``; Ctrl-C returns to the prompt."""
    while True:
      try:
        self.cmdloop()
        break
      except KeyboardInterrupt:
        print("--KeyboardInterrupt--", file=sys.stdout)


def run_debugger(frames: list[DebuggerFrame], thread_id: int | None, **kwargs: Any):
  """Runs the CLI debugger on ``frames`` (``kwargs``: ``stdin``, ``stdout``)."""
  CliDebugger(frames, thread_id, **kwargs).run()


register_debugger("cli", run_debugger, -1)
