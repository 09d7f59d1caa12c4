namespace MicoPortal.Server.Providers;

/// <summary>
/// What the portal keeps about one provider beyond its configuration: the pause switch an Admin set (every
/// instance reads it) and the provider's prepaid float as last read from <c>GET /v1/balance</c>.
/// </summary>
public sealed class ProviderState
{
    public required string Name { get; set; }

    public bool Paused { get; set; }
    public string? PauseReason { get; set; }
    public string? PausedBy { get; set; }
    public DateTimeOffset? PausedAt { get; set; }

    public decimal? Balance { get; set; }
    public string? Currency { get; set; }
    public DateTimeOffset? BalanceAt { get; set; }
}

/// <summary>One reading of a provider's float, for the sparkline on the Providers page (kept for a week).</summary>
public sealed class ProviderBalanceSample
{
    public long Id { get; set; }
    public required string Provider { get; set; }
    public DateTimeOffset At { get; set; }
    public decimal Balance { get; set; }
}
