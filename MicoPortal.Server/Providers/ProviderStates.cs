using System.Collections.Concurrent;
using MicoPortal.Server.Alerts;
using MicoPortal.Server.Audit;
using MicoPortal.Server.Data;
using MicoPortal.Server.Incidents;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Realtime;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Incidents;
using MicoPortal.Shared.Providers;
using MicoPortal.Shared.Realtime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Providers;

/// <summary>
/// The providers' stored state: the pause switch (in the database, so every instance obeys it; each reads it
/// every <see cref="ProviderMonitor"/> round and the instance that changes it at once) and the prepaid float
/// with its low-balance incident. Also what operators see of each provider (<see cref="List"/>), from memory,
/// so the live summary costs no query.
/// </summary>
public sealed class ProviderStates(
    IDbContextFactory<PortalDbContext> dbFactory,
    ProviderCatalog catalog,
    AuditTrail audit,
    AlertDispatcher alerts,
    IHubContext<OperationsHub, IOperationsDashboard> hub,
    TimeProvider time,
    ILogger<ProviderStates> logger)
{
    /// <summary>How long a pause waits for creates already past the switch to be answered.</summary>
    public static readonly TimeSpan PauseDrain = TimeSpan.FromSeconds(10);

    /// <summary>Balance readings kept in memory per provider for the sparkline.</summary>
    public const int SparklinePoints = 60;

    private static readonly TimeSpan SampleRetention = TimeSpan.FromDays(7);

    private readonly ConcurrentDictionary<string, ProviderState> _stored = new(StringComparer.Ordinal);

    /// <summary>
    /// A refresh that read the switch before a pause was stored must not apply its stale view after the pause:
    /// reading and applying, and storing and applying, take turns.
    /// </summary>
    private readonly SemaphoreSlim _switches = new(1, 1);
    private readonly ConcurrentDictionary<string, ProviderBalancePoint[]> _history = new(StringComparer.Ordinal);

    /// <summary>Reads every provider's stored state and applies the pause switches (another instance may have flipped one).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _switches.WaitAsync(cancellationToken);
        try
        {
            await RefreshSwitchesAsync(cancellationToken);
        }
        finally
        {
            _switches.Release();
        }
    }

    private async Task RefreshSwitchesAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.ProviderStates.AsNoTracking().ToDictionaryAsync(s => s.Name, cancellationToken);
        foreach (var entry in catalog.All)
        {
            var row = rows.GetValueOrDefault(entry.Name);
            if (row is not null)
            {
                _stored[entry.Name] = row;
            }

            entry.Pause.Set(row is { Paused: true } ? new PauseInfo(row.PauseReason ?? "", row.PausedBy, row.PausedAt ?? time.GetUtcNow()) : null);
            if (!_history.ContainsKey(entry.Name))
            {
                var since = time.GetUtcNow() - TimeSpan.FromDays(1);
                var samples = await db.ProviderBalanceSamples.AsNoTracking().Where(s => s.Provider == entry.Name && s.At >= since)
                    .OrderByDescending(s => s.At).Take(SparklinePoints).ToListAsync(cancellationToken);
                _history[entry.Name] = [.. samples.OrderBy(s => s.At).Select(s => new ProviderBalancePoint(s.At, OrderMapping.FormatMoney(s.Balance)))];
            }
        }
    }

    /// <summary>
    /// Pauses a provider: stored with the audit entry, then no create passes its switch on this instance, and
    /// the answer waits until the creates that passed a moment before are answered (other instances stop
    /// within a monitor round). Returns how many creates were still out when the wait ended.
    /// </summary>
    public async Task<int> PauseAsync(ProviderEntry entry, string reason, string? actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var pause = new PauseInfo(reason, actor, now);
        await SaveAsync(entry.Name, s =>
        {
            s.Paused = true;
            s.PauseReason = reason;
            s.PausedBy = actor;
            s.PausedAt = now;
        }, actor, AuditActions.ProviderPaused, $"paused provider {entry.Name}: {reason}", () => entry.Pause.Set(pause), cancellationToken);
        var stillOut = await entry.Pause.PauseAsync(pause, PauseDrain, time, cancellationToken);
        logger.LogWarning("{Actor} paused provider {Provider}: {Reason} ({StillOut} creates still awaiting their answer)", actor, entry.Name, reason, stillOut);
        return stillOut;
    }

    public async Task ResumeAsync(ProviderEntry entry, string? actor, CancellationToken cancellationToken)
    {
        await SaveAsync(entry.Name, s =>
        {
            s.Paused = false;
            s.PauseReason = null;
            s.PausedBy = null;
            s.PausedAt = null;
        }, actor, AuditActions.ProviderResumed, $"resumed provider {entry.Name}", () => entry.Pause.Set(null), cancellationToken);
        logger.LogWarning("{Actor} resumed provider {Provider}", actor, entry.Name);
    }

    /// <summary>
    /// Stores a balance reading and keeps the provider's <c>lowBalance</c> incident: opened (and alerted) when
    /// the float falls under the configured threshold, resolved when it is back above.
    /// </summary>
    public async Task RecordBalanceAsync(ProviderEntry entry, decimal balance, string currency, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var state = await db.ProviderStates.FirstOrDefaultAsync(s => s.Name == entry.Name, cancellationToken);
        if (state is null)
        {
            db.ProviderStates.Add(state = new ProviderState { Name = entry.Name });
        }

        state.Balance = balance;
        state.Currency = currency;
        state.BalanceAt = now;
        db.ProviderBalanceSamples.Add(new ProviderBalanceSample { Provider = entry.Name, At = now, Balance = balance });
        await db.ProviderBalanceSamples.Where(s => s.Provider == entry.Name && s.At < now - SampleRetention).ExecuteDeleteAsync(cancellationToken);

        var series = $"{IncidentMetrics.LowBalance}:{entry.Name}";
        var open = await db.Incidents.FirstOrDefaultAsync(i => i.OpenSeries == series, cancellationToken);
        var low = entry.Options.LowBalance is { } threshold && balance < threshold;
        var summary = $"{entry.Name}'s float is {OrderMapping.FormatMoney(balance)} {currency}, threshold {OrderMapping.FormatMoney(entry.Options.LowBalance ?? 0)}";
        IncidentChange? change = null;
        if (low && open is null)
        {
            open = new Incident
            {
                Metric = IncidentMetrics.LowBalance,
                Sku = "",
                Region = "",
                Provider = entry.Name,
                Severity = IncidentSeverity.Critical,
                StartedAt = now,
                UpdatedAt = now,
                OpenSeries = series,
                Summary = summary,
            };
            db.Incidents.Add(open);
            change = IncidentChange.Opened;
        }
        else if (open is not null)
        {
            open.Summary = summary;
            open.UpdatedAt = now;
            if (!low)
            {
                open.ResolvedAt = now;
                open.OpenSeries = null;
                change = IncidentChange.Resolved;
            }
        }

        if (open is not null)
        {
            open.Observed = (double)balance;
            open.Baseline = (double)(entry.Options.LowBalance ?? 0);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex)
        {
            // Another instance opened or resolved the same incident a moment ago; its reading stands.
            logger.LogInformation(ex, "Balance of {Provider} was recorded by another instance at the same moment", entry.Name);
            return;
        }

        _stored[entry.Name] = state;
        var point = new ProviderBalancePoint(now, OrderMapping.FormatMoney(balance));
        _history.AddOrUpdate(entry.Name, [point], (_, old) => [.. old.Skip(Math.Max(0, old.Length + 1 - SparklinePoints)), point]);
        if (change is { } c)
        {
            logger.LogWarning("Incident {IncidentId} {Change}: {Summary}", open!.Id, c, open.Summary);
            alerts.Enqueue(open.ToDto(), c);
            await hub.Clients.All.IncidentsChanged([open.ToDto()], cancellationToken);
        }
    }

    /// <summary>Every provider as operators see it, from memory (no query).</summary>
    public IReadOnlyList<ProviderDto> List()
    {
        var nowMs = Environment.TickCount64;
        return [.. catalog.All.Select(e =>
        {
            var stored = _stored.GetValueOrDefault(e.Name);
            var pause = e.Pause.Current;
            var status = e.Limiter.Status();
            var threshold = e.Options.LowBalance;
            return new ProviderDto(
                e.Name,
                e.Route.Priority,
                [.. e.Route.Skus],
                [.. e.Route.Regions],
                pause is not null,
                pause?.Reason,
                e.Health.Health(nowMs),
                stored?.Balance is { } b ? OrderMapping.FormatMoney(b) : null,
                stored?.Currency,
                stored?.BalanceAt,
                threshold is { } limit ? OrderMapping.FormatMoney(limit) : null,
                status.InFlightCreates + status.InFlightQueries,
                e.Health.SuccessRate(nowMs),
                e.Health.LatencyP95Ms(),
                pause?.By,
                pause?.At,
                stored?.Balance is { } balance && threshold is { } t ? balance < t : null,
                _history.GetValueOrDefault(e.Name) ?? []);
        })];
    }

    /// <summary>Stores a switch with its audit entry, then applies it here, with no refresh in between.</summary>
    private async Task SaveAsync(string name, Action<ProviderState> change, string? actor, string action, string details, Action apply, CancellationToken cancellationToken)
    {
        await _switches.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var state = await db.ProviderStates.FirstOrDefaultAsync(s => s.Name == name, cancellationToken);
            if (state is null)
            {
                db.ProviderStates.Add(state = new ProviderState { Name = name });
            }

            change(state);
            audit.Add(db, actor, action, details);
            await db.SaveChangesAsync(cancellationToken);
            _stored[name] = state;
            apply();
        }
        finally
        {
            _switches.Release();
        }
    }
}
