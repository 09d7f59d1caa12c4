using System.ComponentModel.DataAnnotations;

namespace MicoPortal.Server.Providers;

/// <summary>Section <c>Provider</c>: the upstream top-up provider (CONTRACT.md section 6).</summary>
public sealed class ProviderOptions
{
    public const string Section = "Provider";

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

    /// <summary>Calls in flight to the provider at once, across all sweeps.</summary>
    [Range(1, 1024)]
    public int MaxConcurrentCalls { get; set; } = 32;

    /// <summary>Callbacks whose timestamp is further than this from now are rejected.</summary>
    public TimeSpan CallbackTolerance { get; set; } = TimeSpan.FromSeconds(300);
}
