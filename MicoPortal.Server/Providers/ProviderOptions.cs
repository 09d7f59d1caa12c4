using System.ComponentModel.DataAnnotations;

namespace MicoPortal.Server.Providers;

/// <summary>
/// One upstream top-up provider (docs/api.md sections 6 and 8), bound as named options per provider: section
/// <c>Providers:&lt;name&gt;</c>, and the single <c>Provider</c> section as the provider named <c>default</c>.
/// </summary>
public sealed class ProviderOptions
{
    /// <summary>The single provider's section (docs/api.md section 6), read as the provider named <c>default</c>.</summary>
    public const string Section = "Provider";

    /// <summary>Where several providers are configured, one sub-section per name.</summary>
    public const string ListSection = "Providers";

    /// <summary>Base URL of the provider API. Empty means the built-in sandbox at the portal's own <c>/sandbox/provider</c>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Bearer key sent to the provider.</summary>
    public string? ApiKey { get; set; }

    /// <summary>HMAC secret of the provider's callbacks.</summary>
    public string? CallbackSecret { get; set; }

    /// <summary>What the portal sends as <c>callbackUrl</c>. Empty means its own first listening address + <c>/api/v1/provider/callbacks</c>.</summary>
    public string? CallbackUrl { get; set; }

    /// <summary>How long a create may take before its outcome is declared unknown.</summary>
    public TimeSpan CreateTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of status queries and lookups.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Ceiling of calls in flight to the provider at once. The limit itself adapts between a few calls and
    /// this ceiling (grows while the provider answers and its latency holds, shrinks on 429, 503 and waves
    /// of timeouts): at 150 ms per call, 5,000 orders a second need about 750 calls in flight.
    /// </summary>
    [Range(1, 65_536)]
    public int MaxConcurrentCalls { get; set; } = 4_096;

    /// <summary>Where the adaptive concurrency limit starts (slow start doubles it each round trip while the provider keeps up).</summary>
    [Range(1, 65_536)]
    public int InitialConcurrentCalls { get; set; } = 32;

    /// <summary>Requests per second the portal never exceeds towards this provider (all kinds together); 0 means no limit.</summary>
    [Range(0, 1_000_000)]
    public int MaxRequestsPerSecond { get; set; }

    /// <summary>Routing order: lower is tried first.</summary>
    public int Priority { get; set; } = 100;

    /// <summary>SKUs this provider serves; empty means all.</summary>
    public string[] Skus { get; set; } = [];

    /// <summary>Regions this provider serves; empty means all.</summary>
    public string[] Regions { get; set; } = [];

    /// <summary>Below this prepaid float a <c>lowBalance</c> incident opens; null means no threshold.</summary>
    [Range(typeof(decimal), "0", "79228162514264337593543950335")]
    public decimal? LowBalance { get; set; }

    /// <summary>Callbacks whose timestamp is further than this from now are rejected.</summary>
    public TimeSpan CallbackTolerance { get; set; } = TimeSpan.FromSeconds(300);
}
