using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MicoPortal.Tests.Providers;

/// <summary>
/// The provider's HTTP client as the portal configures it (<see cref="ProviderCatalog.AddProviders"/>, its resilience
/// pipeline, docs/resilience.md) against a real HTTP server: a create is sent exactly once whatever becomes of it,
/// and each kind of call is cut at its own timeout, body included.
/// </summary>
public sealed class ProviderResilienceTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private WebApplication _provider = null!;
    private int _creates;
    private int _queries;
    private readonly CollectingLogs _logs = new();
    private volatile string _createAnswer = "hang";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _provider = builder.Build();
        _provider.MapPost("/v1/orders", async (HttpContext http) =>
        {
            Interlocked.Increment(ref _creates);
            switch (_createAnswer)
            {
                case "503":
                    http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    await http.Response.WriteAsync("""{"error":{"code":"MAINTENANCE","message":"down"}}""");
                    return;
                case "body-hangs":
                    // The headers and the start of the body arrive, the rest never does.
                    http.Response.StatusCode = StatusCodes.Status201Created;
                    http.Response.ContentLength = 400;
                    await http.Response.WriteAsync("{\"clientRef\":");
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                    await HangAsync(http);
                    return;
                default:
                    await HangAsync(http);
                    return;
            }
        });
        _provider.MapPost("/v1/orders/query", async (HttpContext http) =>
        {
            Interlocked.Increment(ref _queries);
            await HangAsync(http);
        });
        await _provider.StartAsync();
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Theory]
    [InlineData("hang", "timeout after 1 s")]
    [InlineData("503", "HTTP 503 MAINTENANCE")]
    public async Task A_create_that_times_out_or_is_refused_is_sent_exactly_once(string answer, string error)
    {
        _createAnswer = answer;
        var (client, _) = Client(createTimeout: TimeSpan.FromSeconds(1), queryTimeout: TimeSpan.FromSeconds(5));

        var result = await client.CreateOrderAsync(Create(), CancellationToken.None).WaitAsync(Bound);

        var unknown = Assert.IsType<CreateResult.Unknown>(result);
        Assert.Equal(error, unknown.Error);
        await Task.Delay(TimeSpan.FromSeconds(1)); // time for a second try to arrive, were there one
        Assert.Equal(1, Volatile.Read(ref _creates));
        // The outcome is the order's to record; the pipeline does not add an error line per timeout.
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_create_whose_answer_body_hangs_times_out_too()
    {
        _createAnswer = "body-hangs";
        var (client, limiter) = Client(createTimeout: TimeSpan.FromSeconds(1), queryTimeout: TimeSpan.FromSeconds(5));

        var result = await client.CreateOrderAsync(Create(), CancellationToken.None).WaitAsync(Bound);

        Assert.Equal("timeout after 1 s", Assert.IsType<CreateResult.Unknown>(result).Error);
        Assert.Equal(1, Volatile.Read(ref _creates));
        Assert.Equal(0, limiter.Status().InFlightCreates);
    }

    [Fact]
    public async Task Queries_are_cut_at_the_query_timeout_and_creates_at_the_create_timeout()
    {
        var (client, _) = Client(createTimeout: TimeSpan.FromSeconds(2), queryTimeout: TimeSpan.FromSeconds(1));

        var query = await client.QueryOrdersAsync(["r-1"], CancellationToken.None).WaitAsync(Bound);
        var create = await client.CreateOrderAsync(Create(), CancellationToken.None).WaitAsync(Bound);

        Assert.Equal("timeout after 1 s", Assert.IsType<QueryResult.Failed>(query).Error);
        Assert.Equal("timeout after 2 s", Assert.IsType<CreateResult.Unknown>(create).Error);
        Assert.Equal(1, Volatile.Read(ref _queries));
    }

    private (HttpProviderClient Client, ProviderLimiter Limiter) Client(TimeSpan createTimeout, TimeSpan queryTimeout)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sandbox:Enabled"] = "false",
            ["Provider:BaseUrl"] = _provider.Urls.First(),
            ["Provider:ApiKey"] = "resilience-test-key",
            ["Provider:CallbackUrl"] = "https://portal.example/api/v1/provider/callbacks",
            ["Provider:CreateTimeout"] = createTimeout.ToString("c"),
            ["Provider:QueryTimeout"] = queryTimeout.ToString("c"),
        }).Build();
        var services = new ServiceCollection().AddLogging(l => l.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug)).AddSingleton<IConfiguration>(configuration);
        ProviderCatalog.AddProviderClients(services, configuration, new Environment());
        var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<ProviderOptions>>();
        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(ProviderCatalog.HttpClientName(ProviderCatalog.DefaultProvider));
        var limiter = new ProviderLimiter(ProviderCatalog.DefaultProvider, 8, 8, 0);
        var client = new HttpProviderClient(ProviderCatalog.DefaultProvider, http, options, new PortalAddress(new NoServer()), limiter, new ProviderPause(),
            TimeProvider.System, NullLogger<HttpProviderClient>.Instance);
        return (client, limiter);
    }

    private static ProviderCreateOrderRequest Create() =>
        new("r-1", "MICO-COINS-100", new ProviderAccount("12345610", "GLOBAL"), 100, new ProviderMoney("1.00", "USD"), null);

    private static async Task HangAsync(HttpContext http)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The portal gave up on the call.
        }
    }

    private sealed class CollectingLogs : ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CollectingLogs logs, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                logs.Entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";
        public string ApplicationName { get; set; } = "MicoPortal.Tests";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }

    /// <summary>The portal's own address is never asked for: the provider has a base URL.</summary>
    private sealed class NoServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
