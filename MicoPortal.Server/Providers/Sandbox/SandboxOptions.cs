using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Providers.Sandbox;

/// <summary>Configuration section <c>Sandbox</c>: the built-in provider of docs/api.md section 5.</summary>
public sealed class SandboxOptions
{
    public const string SectionName = "Sandbox";

    /// <summary>Maps the endpoints and runs the callback sender. Production configuration turns it off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The Bearer key callers must present.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>HMAC secret used to sign delivery callbacks.</summary>
    public string CallbackSecret { get; set; } = string.Empty;

    /// <summary>Base latency added to every provider call (tests set it to 0).</summary>
    public int LatencyMs { get; set; } = 40;

    /// <summary>Random extra latency, 0 to this many milliseconds.</summary>
    public int LatencyJitterMs { get; set; } = 30;

    /// <summary>Calls per second the sandbox serves; above it, <c>429 RATE_LIMITED</c> at once (0: no cap).</summary>
    public int MaxRequestsPerSecond { get; set; }

    /// <summary>How a "dropped" response behaves: abort the connection or hang until the caller gives up.</summary>
    public SandboxDropMode DropMode { get; set; } = SandboxDropMode.Abort;

    /// <summary>
    /// How long the sandbox remembers an order (default one day): memory stays bounded when the
    /// demo load runs for days. Only orders whose callbacks are all sent are forgotten.
    /// </summary>
    public int RetentionMinutes { get; set; } = 1440;

    public const decimal DefaultBalance = 1_000_000m;

    /// <summary>
    /// The prepaid float each instance starts with; every order planned to end in SUCCESS takes its
    /// <c>maxPrice.amount</c> off it. Read at start only (<c>PUT /sandbox/admin/balance</c> changes it later).
    /// </summary>
    public decimal Balance { get; set; } = DefaultBalance;

    /// <summary>The currency <c>GET /v1/balance</c> names (the sandbox does no conversion).</summary>
    public string BalanceCurrency { get; set; } = "USD";

    /// <summary>
    /// Names of extra sandbox instances, each its own provider with its own ledger at
    /// <c>/sandbox/providers/{name}</c> (key, latency and faults shared). Read once at start.
    /// </summary>
    public string[] Instances { get; set; } = [];

    public SandboxFaults Faults { get; set; } = new();
}

public enum SandboxDropMode
{
    /// <summary>Close the connection without an answer (the caller sees a reset).</summary>
    Abort,

    /// <summary>Never answer; wait until the caller cancels (the caller sees its own timeout).</summary>
    Hang,
}

/// <summary>
/// Random faults applied on top of the scenarios, each a probability from 0 to 1 (default 0).
/// Read on every request, so they can change at run time (configuration reload or
/// <c>PUT /sandbox/admin/faults</c>).
/// </summary>
public sealed class SandboxFaults
{
    /// <summary>Create is not stored and the connection is dropped (reads are just dropped).</summary>
    public double TimeoutBeforeCommitRate { get; set; }

    /// <summary>Create is stored, then the connection is dropped (reads are just dropped).</summary>
    public double TimeoutAfterCommitRate { get; set; }

    /// <summary>500 INTERNAL before anything is stored.</summary>
    public double ServerErrorRate { get; set; }

    /// <summary>429 RATE_LIMITED with Retry-After: 1.</summary>
    public double RateLimitRate { get; set; }

    /// <summary>200 with a body that is not valid JSON (a create is stored first).</summary>
    public double MalformedRate { get; set; }

    /// <summary>Adds <see cref="SlowDelayMs"/> to the latency.</summary>
    public double SlowRate { get; set; }

    public int SlowDelayMs { get; set; } = 3000;

    /// <summary>A callback is never sent.</summary>
    public double CallbackDropRate { get; set; }

    /// <summary>A callback is sent twice with the same event id.</summary>
    public double CallbackDuplicateRate { get; set; }

    /// <summary>The previous version is sent again after the newer one.</summary>
    public double CallbackReorderRate { get; set; }

    /// <summary>503 MAINTENANCE with Retry-After.</summary>
    public double MaintenanceRate { get; set; }

    /// <summary>
    /// Share of new orders answered 201 <c>FAILED</c> with reason <c>OUT_OF_STOCK</c>. Which ones follows from
    /// the clientRef alone, so a reference always behaves the same; userIds ending 91 to 99 keep their scenario.
    /// </summary>
    public double OutOfStockRate { get; set; }

    internal IEnumerable<string> Validate()
    {
        (string Name, double Value)[] rates =
        [
            (nameof(TimeoutBeforeCommitRate), TimeoutBeforeCommitRate),
            (nameof(TimeoutAfterCommitRate), TimeoutAfterCommitRate),
            (nameof(ServerErrorRate), ServerErrorRate),
            (nameof(RateLimitRate), RateLimitRate),
            (nameof(MalformedRate), MalformedRate),
            (nameof(SlowRate), SlowRate),
            (nameof(CallbackDropRate), CallbackDropRate),
            (nameof(CallbackDuplicateRate), CallbackDuplicateRate),
            (nameof(CallbackReorderRate), CallbackReorderRate),
            (nameof(MaintenanceRate), MaintenanceRate),
            (nameof(OutOfStockRate), OutOfStockRate),
        ];
        foreach (var (name, value) in rates)
        {
            if (double.IsNaN(value) || value is < 0 or > 1)
            {
                yield return $"Sandbox:Faults:{name} must be between 0 and 1.";
            }
        }

        if (SlowDelayMs < 0)
        {
            yield return "Sandbox:Faults:SlowDelayMs must not be negative.";
        }
    }
}

/// <summary>Validated at start-up; a disabled sandbox needs no keys.</summary>
internal sealed partial class SandboxOptionsValidator : IValidateOptions<SandboxOptions>
{
    public ValidateOptionsResult Validate(string? name, SandboxOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            errors.Add("Sandbox:ApiKey is required when the sandbox is enabled.");
        }

        if (string.IsNullOrWhiteSpace(options.CallbackSecret))
        {
            errors.Add("Sandbox:CallbackSecret is required when the sandbox is enabled.");
        }

        if (options.LatencyMs < 0 || options.LatencyJitterMs < 0)
        {
            errors.Add("Sandbox:LatencyMs and Sandbox:LatencyJitterMs must not be negative.");
        }

        if (options.RetentionMinutes < 1)
        {
            errors.Add("Sandbox:RetentionMinutes must be at least 1.");
        }

        if (options.Balance < 0)
        {
            errors.Add("Sandbox:Balance must not be negative.");
        }

        if (options.BalanceCurrency is null || !CurrencyPattern().IsMatch(options.BalanceCurrency))
        {
            errors.Add("Sandbox:BalanceCurrency must be three capital letters (ISO 4217).");
        }

        foreach (var instance in options.Instances ?? [])
        {
            // The name is a path segment and a DI key; "default" is the instance at /sandbox/provider.
            if (instance is null || !InstanceNamePattern().IsMatch(instance) || instance == SandboxInstances.DefaultName)
            {
                errors.Add($"Sandbox:Instances: '{instance}' must be 1 to 32 of a-z, 0-9 and '-', and not '{SandboxInstances.DefaultName}'.");
            }
        }

        if (options.Instances is { } names && names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            errors.Add("Sandbox:Instances must not name an instance twice.");
        }

        errors.AddRange(options.Faults.Validate());
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex(@"^[A-Z]{3}\z")]
    private static partial Regex CurrencyPattern();

    [GeneratedRegex(@"^[a-z0-9-]{1,32}\z")]
    private static partial Regex InstanceNamePattern();
}

/// <summary>
/// Run-time fault settings from <c>PUT /sandbox/admin/faults</c>. Applied as a post-configure
/// step, so <see cref="IOptionsMonitor{SandboxOptions}"/> stays the one place every request reads.
/// </summary>
internal sealed class SandboxFaultOverride(IOptionsMonitorCache<SandboxOptions> cache) : IPostConfigureOptions<SandboxOptions>
{
    private volatile SandboxFaults? _faults;

    public void PostConfigure(string? name, SandboxOptions options)
    {
        if (_faults is { } faults)
        {
            options.Faults = faults;
        }
    }

    public void Set(SandboxFaults faults)
    {
        _faults = faults;
        // Dropping the cached instance makes the monitor rebuild it (with this override) on next read.
        cache.TryRemove(Options.DefaultName);
    }
}
