using Hangfire;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Infrastructure;

/// <summary>
/// The real portal on Kestrel (a real port, so provider calls and callbacks cross real sockets),
/// with its own data directory and no demo traffic. Settings override appsettings.
/// </summary>
public sealed class PortalFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    private readonly ITestOutputHelper? _output;

    public PortalFactory(string dataDirectory, IDictionary<string, string?>? settings = null, ITestOutputHelper? output = null)
    {
        _output = output;
        DataDirectory = dataDirectory;
        _settings = new Dictionary<string, string?>
        {
            ["DataDirectory"] = dataDirectory,
            ["Demo:OrdersPerSecond"] = "0",
            ["Sandbox:LatencyMs"] = "0",
            ["Sandbox:LatencyJitterMs"] = "0",
            // Quicker backoff so scenario tests finish in seconds; the shape is the production one.
            ["Verification:Backoff:0"] = "00:00:00.500",
            ["Verification:Backoff:1"] = "00:00:01",
            ["Verification:Backoff:2"] = "00:00:02",
            ["Verification:Backoff:3"] = "00:00:03",
            ["Verification:Backoff:4"] = "00:00:05",
            ["Verification:Backoff:5"] = "00:00:05",
            ["Verification:Backoff:6"] = "00:00:05",
            ["Verification:Backoff:7"] = "00:00:05",
            ["Verification:SettlementCheckAfter"] = "00:00:00",
            ["Verification:IdlePoll"] = "00:00:00.100",
            // Tests sign in many times from one address; the limit itself has its own test.
            ["RateLimiting:LoginPerMinute"] = "1000",
            ["RateLimiting:LoginPerAccountPerMinute"] = "1000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(0);
    }

    public string DataDirectory { get; }

    /// <summary>The host environment; anything but Development has no seeded users or keys.</summary>
    public string Environment { get; init; } = "Development";

    /// <summary>Extra services for one test (e.g. <see cref="TestPeer"/>), added after the portal's own.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>The portal's real address once started (Kestrel on a free port).</summary>
    public Uri RootUri
    {
        get
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address.Replace("[::]", "localhost").Replace("127.0.0.1", "localhost"));
        }
    }

    /// <summary>Clients carry the portal's own Origin, as a browser's requests do: cookie-authenticated writes need it.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add("Origin", PortalClient.OriginOf(client.BaseAddress!));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        if (_output is not null)
        {
            builder.ConfigureLogging(logging => logging.AddProvider(new TestOutputLoggerProvider(_output)));
        }

        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        // Hangfire's log provider is process-wide and follows the last host built; tests run many
        // hosts in one process and dispose them as they go. A job client first resolved after another
        // host's disposal would log through a disposed logger factory, so resolve it while all is well.
        builder.ConfigureServices(services => services.AddHostedService<JobClientWarmUp>());
        if (TestServices is not null)
        {
            builder.ConfigureServices(TestServices);
        }
    }

    private sealed class JobClientWarmUp(IBackgroundJobClient jobs) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(jobs);
            return Task.CompletedTask;
        }
    }

    public static string NewDataDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "micoportal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
