using System.Text.RegularExpressions;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Orders;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Providers;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Providers;

/// <summary>One configured provider and what the portal keeps per provider: its client, limiter, health and pause switch.</summary>
public sealed class ProviderEntry(ProviderRoute route, IOptionsMonitor<ProviderOptions> options, IProviderClient client, ProviderLimiter limiter, ProviderPause pause)
{
    public string Name => Route.Name;

    public ProviderRoute Route { get; } = route;

    /// <summary>The provider's options as they are now (named options <see cref="Name"/>); routing keeps those of start-up.</summary>
    public ProviderOptions Options => options.Get(Name);

    public IProviderClient Client { get; } = client;

    public ProviderLimiter Limiter { get; } = limiter;

    public ProviderHealthTracker Health => Limiter.Health;

    public ProviderPause Pause { get; } = pause;

    /// <summary>Routing may send a new attempt here: not paused and its circuit is not open.</summary>
    public bool TakesNewAttempts(long nowMs) => !Pause.IsPaused && Health.Health(nowMs) != ProviderHealth.Down;
}

/// <summary>
/// The configured providers (docs/api.md section 8): <c>Providers:&lt;name&gt;</c> sections, and the single
/// <c>Provider</c> section as the provider named <c>default</c>. Built once at start-up; each provider has its
/// own HTTP client (<see cref="HttpClientName"/>), limiter, health and pause switch, so a slow or paused
/// provider holds back its own calls and nobody else's.
/// </summary>
public sealed partial class ProviderCatalog : IDisposable
{
    public const string DefaultProvider = "default";
    public const int MaxNameLength = 32;

    private readonly Dictionary<string, ProviderEntry> _byName;

    public ProviderCatalog(IConfiguration configuration, IOptionsMonitor<ProviderOptions> options, IHttpClientFactory httpClients,
        PortalAddress portal, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger<HttpProviderClient>();
        var entries = new List<ProviderEntry>();
        foreach (var name in Names(configuration))
        {
            var o = options.Get(name);
            var route = new ProviderRoute(name, o.Priority, o.Skus, o.Regions);
            var limiter = new ProviderLimiter(name, o.InitialConcurrentCalls, o.MaxConcurrentCalls, o.MaxRequestsPerSecond);
            var pause = new ProviderPause();
            var client = new HttpProviderClient(name, httpClients.CreateClient(HttpClientName(name)), options, portal, limiter, pause, time, logger);
            entries.Add(new ProviderEntry(route, options, client, limiter, pause));
        }

        Routes = new ProviderRoutes(entries.Select(e => e.Route));
        _byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        All = [.. Routes.All.Select(r => _byName[r.Name])];
    }

    /// <summary>Every provider, in routing order.</summary>
    public IReadOnlyList<ProviderEntry> All { get; }

    public ProviderRoutes Routes { get; }

    /// <summary>The provider named <c>default</c>, or the first by priority when there is none of that name.</summary>
    public ProviderEntry Default => _byName.GetValueOrDefault(DefaultProvider) ?? All[0];

    public ProviderEntry? Find(string? name) => name is null ? null : _byName.GetValueOrDefault(name);

    /// <summary>
    /// Where the create of <paramref name="order"/> goes now. A new attempt: the first provider by priority that
    /// serves it, has had no earlier attempt of it, is not paused and not down. The same reference again (after
    /// REF_NOT_FOUND, with no provider left to fail over to): only the provider it is stored with. Never to a
    /// provider without a free slot in <paramref name="freeSlots"/> (one is taken): then not now, and the order
    /// stays in the queue; strict priority, no spilling to the next provider.
    /// </summary>
    public Verification.RouteChoice Route(Order order, long nowMs, IDictionary<string, int> freeSlots)
    {
        var chosen = order.Provider is { } stored
            ? Find(stored) is { } same && same.TakesNewAttempts(nowMs) ? same : null
            : Routes.Candidates(order).Select(r => _byName[r.Name]).FirstOrDefault(e => e.TakesNewAttempts(nowMs));
        if (chosen is null)
        {
            return new Verification.RouteChoice(null, NoneTakesIt: true);
        }

        if (freeSlots.TryGetValue(chosen.Name, out var free) && free > 0)
        {
            freeSlots[chosen.Name] = free - 1;
            return new Verification.RouteChoice(chosen.Name);
        }

        return new Verification.RouteChoice(null);
    }

    /// <summary>
    /// Who answers an account lookup for <paramref name="region"/>: the provider an order there would go to first
    /// (a read, so a paused one answers too), or <see cref="Default"/> when that one is down.
    /// </summary>
    public ProviderEntry ForLookup(string region, long nowMs) =>
        All.FirstOrDefault(p => p.Route.ServesRegion(region)) is { } serving && serving.Health.Health(nowMs) != ProviderHealth.Down ? serving : Default;

    public IReadOnlyList<ProviderPipelineStatus> PipelineStatus() => [.. All.Select(e => e.Limiter.Status())];

    public static string HttpClientName(string provider) => "MicoPortal.Provider." + provider;

    /// <summary>Where the built-in sandbox serves the provider of this name when its base URL is empty.</summary>
    public static string SandboxPath(string provider) => Sandbox.SandboxInstances.BasePathOf(provider);

    [GeneratedRegex(@"^[a-z0-9-]{1,32}\z")]
    private static partial Regex NamePattern();

    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>
    /// The configured provider names: each <c>Providers:&lt;name&gt;</c>, and <c>default</c> when the single
    /// <c>Provider</c> section is present or no list is (a portal configured the old way, or not at all, keeps
    /// its one provider).
    /// </summary>
    public static IReadOnlyList<string> Names(IConfiguration configuration)
    {
        var listed = configuration.GetSection(ProviderOptions.ListSection).GetChildren().Select(c => c.Key).ToList();
        var names = new List<string>();
        if (listed.Count == 0 || configuration.GetSection(ProviderOptions.Section).Exists() || listed.Contains(DefaultProvider))
        {
            names.Add(DefaultProvider);
        }

        names.AddRange(listed.Where(n => n != DefaultProvider));
        return names;
    }

    /// <summary>
    /// Registers named <see cref="ProviderOptions"/> per provider (validated at start), one HTTP client per
    /// provider with its resilience pipeline (<see cref="ProviderResilience"/>) and the catalog.
    /// </summary>
    internal static IServiceCollection AddProviderClients(IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var names = Names(configuration);
        var invalid = names.Where(n => !IsValidName(n)).ToList();
        if (invalid.Count > 0)
        {
            throw new OptionsValidationException(ProviderOptions.ListSection, typeof(ProviderOptions),
                [$"Provider names must match [a-z0-9-]{{1,32}}: {string.Join(", ", invalid)}."]);
        }

        // An order's tried list holds every name but one, comma-separated (Order.ProvidersTried, 300 characters).
        if (names.Sum(n => n.Length + 1) > 300)
        {
            throw new OptionsValidationException(ProviderOptions.ListSection, typeof(ProviderOptions),
                ["The provider names are too long together: at most 300 characters with a separator each."]);
        }

        foreach (var name in names)
        {
            var builder = services.AddOptions<ProviderOptions>(name);
            if (name == DefaultProvider)
            {
                builder.Bind(configuration.GetSection(ProviderOptions.Section));
            }

            builder.Bind(configuration.GetSection($"{ProviderOptions.ListSection}:{name}")).ValidateDataAnnotations().ValidateOnStart();
            services.AddHttpClient(HttpClientName(name), http =>
                {
                    http.Timeout = Timeout.InfiniteTimeSpan;
                    // HTTP/2 where the provider offers it over TLS (many calls on few connections); HTTP/1.1 otherwise.
                    http.DefaultRequestVersion = System.Net.HttpVersion.Version20;
                    http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
                })
                // The catalog holds its client for the life of the process; connections are recycled by the handler.
                .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
                .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
                {
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                    ConnectTimeout = TimeSpan.FromSeconds(5),
                    // HTTP/1.1 needs a connection per call in flight; the provider's limiter is what bounds them.
                    MaxConnectionsPerServer = sp.GetRequiredService<IOptionsMonitor<ProviderOptions>>().Get(name).MaxConcurrentCalls,
                    EnableMultipleHttp2Connections = true,
                })
                // The timeouts; never a retry (see ProviderResilience, docs/resilience.md).
                .AddProviderResilience(name);
        }

        services.AddResilienceTelemetry();
        services.AddSingleton<IValidateOptions<ProviderOptions>>(new ProviderOptionsValidation(configuration, environment));
        services.AddSingleton<ProviderCatalog>();
        services.AddSingleton<ProviderCallbackAddress>();
        return services;
    }

    public void Dispose()
    {
        foreach (var entry in All)
        {
            entry.Limiter.Dispose();
        }
    }
}
