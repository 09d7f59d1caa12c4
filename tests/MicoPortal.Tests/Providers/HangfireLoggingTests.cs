using Hangfire.AspNetCore;
using MicoPortal.Server.Infrastructure;
using Microsoft.Extensions.Logging;

namespace MicoPortal.Tests.Providers;

/// <summary>
/// Hangfire's log provider is process-wide: a host starting after the last one that configured Hangfire was disposed
/// asked a disposed logger factory for a logger and failed its start-up (seen in a clean-clone test run:
/// ObjectDisposedException 'LoggerFactory' from RecurringJobManager in UsePortalAsync).
/// </summary>
public class HangfireLoggingTests
{
    [Fact]
    public void A_disposed_logger_factory_gives_a_logger_that_drops_lines_instead_of_failing()
    {
        var factory = LoggerFactory.Create(_ => { });
        var tolerant = new DisposalTolerantHangfireLogProvider(factory);
        var plain = new AspNetCoreLogProvider(factory);
        factory.Dispose();

        Assert.Throws<ObjectDisposedException>(() => plain.GetLogger("Hangfire.RecurringJobManager"));
        var log = tolerant.GetLogger("Hangfire.RecurringJobManager");
        Assert.False(log.Log(Hangfire.Logging.LogLevel.Info, () => "dropped"));
    }
}
