namespace MicoPortal.Shared.Providers;

/// <summary>
/// How a provider is doing, from the outcomes of the portal's calls to it. <c>Down</c> opens its circuit:
/// no new attempt is routed there until a read-only probe (its balance) answers again.
/// </summary>
public enum ProviderHealth
{
    Healthy,
    Degraded,
    Down,
}

/// <summary>One point of a provider's prepaid float, for the sparkline.</summary>
public sealed record ProviderBalancePoint(DateTimeOffset At, string Balance);

/// <summary>
/// One upstream provider as operators see it (<c>GET /api/v1/providers</c>): routing (priority, SKUs and
/// regions served; empty lists mean all), the pause switch, health, the prepaid float and live figures.
/// <see cref="LowBalance"/> is the configured threshold (null: none) and <see cref="BalanceLow"/> whether the last
/// balance read is under it. <see cref="SuccessRate"/> is the share of the provider's attempts that delivered
/// (last 15 minutes) and <see cref="LatencyP95Ms"/> its answered calls' p95 (null before any); <see cref="InFlight"/>
/// is calls on the wire now.
/// </summary>
public sealed record ProviderDto(
    string Name,
    int Priority,
    IReadOnlyList<string> Skus,
    IReadOnlyList<string> Regions,
    bool Paused,
    string? PauseReason,
    ProviderHealth Health,
    string? Balance,
    string? Currency,
    DateTimeOffset? BalanceAt,
    string? LowBalance,
    int InFlight,
    double? SuccessRate,
    double? LatencyP95Ms,
    string? PausedBy = null,
    DateTimeOffset? PausedAt = null,
    bool? BalanceLow = null,
    IReadOnlyList<ProviderBalancePoint>? BalanceHistory = null);

/// <summary><c>GET /api/v1/providers</c>.</summary>
public sealed record ProviderListResponse(IReadOnlyList<ProviderDto> Items);

/// <summary>Body of <c>POST /api/v1/providers/{name}/pause</c>: why (required, kept in the audit ledger).</summary>
public sealed record PauseProviderRequest(string? Reason);
