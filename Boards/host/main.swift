/// Board `host`: the portable libraries and an app in a Linux process (`build/host/<app> tap=tap0 ip=…`).
import App
import Glibc
import Runtime

// A peer closing a socket must not kill us: writes to stdout report EPIPE instead.
signal(SIGPIPE, SIG_IGN)

var machine = HostMachine(arguments: HostArguments())
Application.main(machine: &machine)
machine.exit(status: 0)
