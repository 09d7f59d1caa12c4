using Hangfire.AspNetCore;
using Hangfire.Logging;

namespace MicoPortal.Server.Infrastructure;

/// <summary>
/// Hangfire's log provider is process-wide (<c>LogProvider</c> is static) and follows the last host that configured
/// Hangfire. Where several hosts live in one process (the test suites start and dispose hundreds), a host starting
/// after the last configuring host was disposed would ask a disposed <see cref="ILoggerFactory"/> for a logger and
/// fail its start-up. This provider answers such a request with a logger that drops the line instead.
/// In a normal single-host process it is the plain ASP.NET Core log provider.
/// </summary>
public sealed class DisposalTolerantHangfireLogProvider(ILoggerFactory loggerFactory) : ILogProvider
{
    private readonly AspNetCoreLogProvider _inner = new(loggerFactory);

    public ILog GetLogger(string name)
    {
        try
        {
            return _inner.GetLogger(name);
        }
        catch (ObjectDisposedException)
        {
            return Dropped.Instance;
        }
    }

    private sealed class Dropped : ILog
    {
        public static readonly Dropped Instance = new();

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
