using Hangfire;
using MicoPortal.Server.Audit;
using MicoPortal.Server.Data;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Verification;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Reconciliation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Reconciliation;

/// <summary>
/// Streams an uploaded transaction log through <see cref="LedgerComparison"/> in batches: agreeing
/// rows give delivered orders their <c>ledger</c> confirmation (one set-based update per batch: a
/// confirmation time, not a status change), every disagreement becomes a report item and a
/// <see cref="LedgerDisagreed"/> event through <see cref="OrderTransitions"/> (dispute flag, attempt
/// row, audit entry, live push). Then the orders sent within the log's time range that it does not
/// list are found by one pass over the orders. Memory stays flat: one batch of rows, and a bit per
/// listed order id.
/// </summary>
public sealed class ReconciliationJob(
    IDbContextFactory<PortalDbContext> dbFactory,
    OrderTransitions transitions,
    ReconciliationFiles files,
    TimeProvider time,
    IOptions<ReconciliationOptions> options,
    RecurringJobRunner runner,
    ILogger<ReconciliationJob> logger)
{
    public const string WatchdogJobId = "reconciliation-watchdog";

    private const int ScanPage = 5_000;

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Reconcile transaction log {0}")]
    public async Task RunAsync(long runId, CancellationToken cancellationToken)
    {
        var run = await ClaimAsync(runId, cancellationToken);
        if (run is null)
        {
            return;
        }

        var report = new Report();
        try
        {
            await using (var stream = new FileStream(files.PathOf(run.StoredFile), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            using (var reader = new StreamReader(stream, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16))
            {
                var batch = new List<LedgerRow>(options.Value.Batch);
                await foreach (var row in TransactionLogReader.ReadAsync(reader, cancellationToken))
                {
                    batch.Add(row);
                    if (batch.Count == options.Value.Batch)
                    {
                        await CompareAsync(runId, batch, report, cancellationToken);
                        batch.Clear();
                        await SaveProgressAsync(runId, report, stream.Position, cancellationToken);
                    }
                }

                await CompareAsync(runId, batch, report, cancellationToken);
                await SaveProgressAsync(runId, report, stream.Length, cancellationToken);
            }

            await FindMissingAtProviderAsync(runId, run.Provider, report, cancellationToken);
            await FinishAsync(runId, report, null, cancellationToken);
            files.Delete(run.StoredFile);
            logger.LogInformation("Reconciliation {RunId}: {Counts}", runId, report.Counts.InWords());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A graceful stop (a deploy) is not a crash: the run goes back to Queued and the watchdog starts it again
            // without counting a restart. Only a run left Running (the process died) counts towards MaxRestarts.
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await db.ReconciliationRuns.Where(r => r.Id == runId && r.State == ReconciliationState.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, ReconciliationState.Queued), CancellationToken.None);
            throw;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            logger.LogWarning(ex, "Reconciliation {RunId} failed", runId);
            await FinishAsync(runId, report, ex.Message, CancellationToken.None);
            files.Delete(run.StoredFile);
        }
        catch (Exception ex)
        {
            // Anything else (a bug, a database error) would leave the run Running, and the watchdog would start it
            // again and again: the run ends Failed with the error. Only a crash of the whole process leaves it
            // Running, and restarts are capped (ClaimAsync).
            logger.LogError(ex, "Reconciliation {RunId} failed on an unexpected error", runId);
            await FinishAsync(runId, report, $"unexpected error: {ex.GetType().Name}: {ex.Message}", CancellationToken.None);
            files.Delete(run.StoredFile);
        }
    }

    /// <summary>Starts again runs whose job was lost (a restart, or an instance that died): queued or running with an old heartbeat.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Resume abandoned reconciliations")]
    public Task ResumeAbandonedAsync(CancellationToken cancellationToken) =>
        runner.RunAsync(WatchdogJobId, TimeSpan.Zero, async token =>
        {
            var stale = time.GetUtcNow() - options.Value.AbandonedAfter;
            await using var db = await dbFactory.CreateDbContextAsync(token);
            var abandoned = await db.ReconciliationRuns.AsNoTracking()
                .Where(r => (r.State == ReconciliationState.Queued && r.UploadedAt < stale)
                    || (r.State == ReconciliationState.Running && r.HeartbeatAt < stale))
                .Select(r => r.Id)
                .ToListAsync(token);
            foreach (var id in abandoned)
            {
                logger.LogWarning("Reconciliation {RunId} was abandoned; starting it again", id);
                await RunAsync(id, token);
            }

            return false;
        }, cancellationToken);

    /// <summary>
    /// Takes the run (queued, or running with an old heartbeat) so only one job works on it, and starts it from the top.
    /// A running run was cut short: each restart is an audit entry, and one cut short more than
    /// <see cref="ReconciliationOptions.MaxRestarts"/> times is marked Failed instead.
    /// </summary>
    private async Task<ReconciliationRun?> ClaimAsync(long runId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stale = now - options.Value.AbandonedAfter;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var state = await db.ReconciliationRuns.Where(r => r.Id == runId).Select(r => (ReconciliationState?)r.State).FirstOrDefaultAsync(cancellationToken);
        var restarts = 0;
        if (state == ReconciliationState.Running)
        {
            var prefix = RestartPrefix(runId);
            restarts = await db.AuditEntries.CountAsync(e => e.Action == AuditActions.ReconciliationRestarted && e.Details.StartsWith(prefix), cancellationToken);
            if (restarts >= options.Value.MaxRestarts)
            {
                await GiveUpAsync(db, runId, stale, restarts, cancellationToken);
                return null;
            }
        }

        var claimed = await db.ReconciliationRuns
            .Where(r => r.Id == runId && (r.State == ReconciliationState.Queued || (r.State == ReconciliationState.Running && r.HeartbeatAt < stale)))
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, ReconciliationState.Running)
                .SetProperty(r => r.StartedAt, now)
                .SetProperty(r => r.HeartbeatAt, now)
                .SetProperty(r => r.BytesRead, 0)
                .SetProperty(r => r.Counts, ReconciliationCounts.None), cancellationToken);
        if (claimed == 0)
        {
            return null;
        }

        if (state == ReconciliationState.Running)
        {
            logger.LogWarning("Reconciliation {RunId} was cut short; restart {Restart} of at most {MaxRestarts}", runId, restarts + 1, options.Value.MaxRestarts);
            db.AuditEntries.Add(AuditTrail.New(null, AuditActions.ReconciliationRestarted,
                $"{RestartPrefix(runId)} ({restarts + 1} of at most {options.Value.MaxRestarts}) after it was cut short", null, now));
            await db.SaveChangesAsync(cancellationToken);
        }

        // A restarted run reports from scratch. (Disputes it raised before stay raised: they are true.)
        await db.ReconciliationItems.Where(i => i.RunId == runId).ExecuteDeleteAsync(cancellationToken);
        return await db.ReconciliationRuns.AsNoTracking().FirstAsync(r => r.Id == runId, cancellationToken);
    }

    private static string RestartPrefix(long runId) => $"reconciliation {runId} restarted";

    /// <summary>Marks a run that was cut short once too often Failed (if this job is the one to take it).</summary>
    private async Task GiveUpAsync(PortalDbContext db, long runId, DateTimeOffset stale, int restarts, CancellationToken cancellationToken)
    {
        var taken = await db.ReconciliationRuns
            .Where(r => r.Id == runId && r.State == ReconciliationState.Running && r.HeartbeatAt < stale)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatAt, time.GetUtcNow()), cancellationToken);
        if (taken == 0)
        {
            return;
        }

        var storedFile = await db.ReconciliationRuns.Where(r => r.Id == runId).Select(r => r.StoredFile).FirstAsync(cancellationToken);
        var error = $"The portal died during this run again after {restarts} restarts (Reconciliation:MaxRestarts); it is given up. " +
            "Something kills the portal while it reads this file (memory, a crash): see the portal's log, then upload the file again.";
        logger.LogError("Reconciliation {RunId} given up: cut short after {Restarts} restarts", runId, restarts);
        await FinishAsync(runId, new Report(), error, CancellationToken.None);
        files.Delete(storedFile);
    }

    private async Task CompareAsync(long runId, List<LedgerRow> rows, Report report, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var refs = rows.Select(r => (Row: r, Parsed: Order.TryParseClientRef(r.ClientRef, out var id, out var attempt), Id: id, Attempt: attempt)).ToList();
        var ids = refs.Where(r => r.Parsed && r.Row.Error is null).Select(r => r.Id).Distinct().ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var orders = await db.Orders.AsNoTracking()
            // One JSON parameter, so a batch of any size is one SQL text and one compiled query
            // (a list inlined as parameters makes a new query shape for each list length).
            .Where(o => EF.Parameter(ids).Contains(o.Id))
            .Select(o => new OrderSnapshot(o.Id, o.AttemptNo, o.Status, o.Coins, o.Amount, o.Currency, o.CompletedAt))
            .ToDictionaryAsync(o => o.Id, cancellationToken);

        var items = new List<ReconciliationItem>();
        var disputes = new Dictionary<long, (string Reason, string? Status)>();
        var confirms = new List<(long Id, int Attempt)>();
        var counts = report.Counts with { Rows = report.Counts.Rows + rows.Count };
        var matched = 0L;
        foreach (var (row, parsed, id, attempt) in refs)
        {
            if (row.Error is not null)
            {
                counts = counts.Add(ReconciliationItemKind.InvalidRow);
                items.Add(Item(runId, ReconciliationItemKind.InvalidRow, row, null, row.Error));
                continue;
            }

            report.Extend(row.UpdatedAt!.Value);
            if (!parsed || !orders.TryGetValue(id, out var order) || attempt > order.AttemptNo)
            {
                counts = counts.Add(ReconciliationItemKind.MissingInPortal);
                items.Add(Item(runId, ReconciliationItemKind.MissingInPortal, row, null, "the portal has no order with this reference"));
                continue;
            }

            if (attempt == order.AttemptNo)
            {
                report.Listed.Add(order.Id);
            }

            var verdict = LedgerComparison.Compare(order, attempt, row);
            if (verdict.Matched)
            {
                matched++;
                if (verdict.Confirms)
                {
                    confirms.Add((order.Id, attempt));
                }

                continue;
            }

            if (verdict.StatusProblem is { } statusProblem)
            {
                counts = counts.Add(ReconciliationItemKind.StatusMismatch);
                items.Add(Item(runId, ReconciliationItemKind.StatusMismatch, row, order, statusProblem));
            }

            if (verdict.AmountProblem is { } amountProblem)
            {
                counts = counts.Add(ReconciliationItemKind.AmountMismatch);
                items.Add(Item(runId, ReconciliationItemKind.AmountMismatch, row, order, amountProblem));
            }

            disputes[order.Id] = (string.Join("; ", new[] { verdict.StatusProblem, verdict.AmountProblem }.OfType<string>()), row.Status);
        }

        report.Counts = counts with { Matched = counts.Matched + matched };
        db.ReconciliationItems.AddRange(items);
        await db.SaveChangesAsync(cancellationToken);
        var confirmed = await ConfirmAsync(db, confirms, cancellationToken);
        report.Counts = report.Counts with { Confirmed = report.Counts.Confirmed + confirmed };
        await DisputeAsync(disputes, cancellationToken);
    }

    /// <summary>Orders sent to <paramref name="provider"/> within the log's time range that it does not list.</summary>
    private async Task FindMissingAtProviderAsync(long runId, string provider, Report report, CancellationToken cancellationToken)
    {
        if (report.From is not { } from || report.To is not { } to)
        {
            return;
        }

        long last = 0;
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            // A create the provider refused outright (Failed with no provider reference) was never stored there.
            var sent = await db.Orders.AsNoTracking()
                // An order sent before there were several providers has none stored: it went to default.
                .Where(o => o.Id > last && o.CreateIssuedAt >= from && o.CreateIssuedAt <= to
                    && (o.Provider ?? ProviderCatalog.DefaultProvider) == provider
                    && !(o.Status == OrderStatus.Failed && o.ProviderRef == null))
                .OrderBy(o => o.Id)
                .Take(ScanPage)
                .Select(o => new OrderSnapshot(o.Id, o.AttemptNo, o.Status, o.Coins, o.Amount, o.Currency, o.CompletedAt))
                .ToListAsync(cancellationToken);
            if (sent.Count == 0)
            {
                return;
            }

            last = sent[^1].Id;
            var missing = sent.Where(o => !report.Listed.Contains(o.Id)).ToList();
            report.Counts = report.Counts.Add(ReconciliationItemKind.MissingAtProvider, missing.Count);
            db.ReconciliationItems.AddRange(missing.Select(o => new ReconciliationItem
            {
                RunId = runId,
                Kind = ReconciliationItemKind.MissingAtProvider,
                ClientRef = Order.FormatClientRef(o.Id, o.AttemptNo),
                OrderId = o.Id,
                PortalStatus = o.Status.ToString(),
                PortalCoins = o.Coins,
                PortalAmount = o.Amount,
                PortalCurrency = o.Currency,
                PortalAttemptNo = o.AttemptNo,
                Note = "sent within the log's time range, but the log does not list it",
            }));
            await db.SaveChangesAsync(cancellationToken);
            await DisputeAsync(missing.ToDictionary(o => o.Id, _ => ("the provider's log does not list this order", (string?)null)), cancellationToken);
            await SaveProgressAsync(runId, report, null, cancellationToken);
        }
    }

    /// <summary>
    /// One update per attempt number; a new token makes any writer holding an older copy reload first. The one write
    /// of an order outside the state machine, on purpose: a row that agrees adds the <c>ledger</c> confirmation to a
    /// Delivered order and changes no status or flag, and a million-row log must not load a million orders to do it.
    /// </summary>
    private async Task<long> ConfirmAsync(PortalDbContext db, List<(long Id, int Attempt)> confirms, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        long confirmed = 0;
        foreach (var group in confirms.GroupBy(c => c.Attempt))
        {
            var ids = group.Select(c => c.Id).ToList();
            var token = Guid.NewGuid();
            confirmed += await db.Orders
                .Where(o => EF.Parameter(ids).Contains(o.Id) && o.AttemptNo == group.Key && o.Status == OrderStatus.Delivered && o.LedgerConfirmedAt == null)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(o => o.LedgerConfirmedAt, now)
                    .SetProperty(o => o.Version, token), cancellationToken);
        }

        return confirmed;
    }

    private async Task DisputeAsync(Dictionary<long, (string Reason, string? Status)> disputes, CancellationToken cancellationToken)
    {
        foreach (var chunk in disputes.Chunk(500))
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var ids = chunk.Select(d => d.Key).ToList();
            var orders = await db.Orders.Where(o => EF.Parameter(ids).Contains(o.Id)).ToListAsync(cancellationToken);
            await transitions.ApplyAsync(db, [.. orders.Select(o => new OrderWork(o, new LedgerDisagreed(disputes[o.Id].Reason), AttemptKind.Ledger, ProviderStatus: disputes[o.Id].Status))], cancellationToken);
        }
    }

    private async Task SaveProgressAsync(long runId, Report report, long? bytesRead, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.ReconciliationRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.BytesRead, r => bytesRead ?? r.BytesRead)
            .SetProperty(r => r.HeartbeatAt, now)
            .SetProperty(r => r.Counts, report.Counts)
            .SetProperty(r => r.RangeFrom, report.From)
            .SetProperty(r => r.RangeTo, report.To), cancellationToken);
    }

    private async Task FinishAsync(long runId, Report report, string? error, CancellationToken cancellationToken)
    {
        await SaveProgressAsync(runId, report, null, cancellationToken);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.ReconciliationRuns.FirstAsync(r => r.Id == runId, cancellationToken);
        run.State = error is null ? ReconciliationState.Completed : ReconciliationState.Failed;
        run.CompletedAt = now;
        run.Error = error is null ? null : error.Length <= 1_000 ? error : error[..1_000];
        db.AuditEntries.Add(AuditTrail.New(null, AuditActions.ReconciliationCompleted, error is null
            ? $"reconciliation {runId} of {run.FileName}: {report.Counts.InWords()}"
            : $"reconciliation {runId} of {run.FileName} failed: {run.Error}", null, now));
        await db.SaveChangesAsync(cancellationToken);
    }

    private static ReconciliationItem Item(long runId, ReconciliationItemKind kind, LedgerRow row, OrderSnapshot? order, string note) => new()
    {
        RunId = runId,
        Kind = kind,
        ClientRef = row.ClientRef,
        OrderId = order?.Id,
        PortalStatus = order?.Status.ToString(),
        PortalCoins = order?.Coins,
        PortalAmount = order?.Amount,
        PortalCurrency = order?.Currency,
        PortalAttemptNo = order?.AttemptNo,
        ProviderRef = row.ProviderRef,
        ProviderStatus = row.Status,
        Serial = row.Serial,
        Quantity = row.Quantity,
        Amount = row.Amount,
        Currency = row.Currency is { Length: <= 16 } c ? c : row.Currency?[..16],
        UpdatedAt = row.UpdatedAt,
        Note = note.Length <= 300 ? note : note[..300],
    };

    /// <summary>Counts so far, the log's time range, and which orders it listed.</summary>
    private sealed class Report
    {
        public ReconciliationCounts Counts { get; set; } = ReconciliationCounts.None;

        public DateTimeOffset? From { get; private set; }

        public DateTimeOffset? To { get; private set; }

        public OrderIdSet Listed { get; } = new();

        public void Extend(DateTimeOffset at)
        {
            From = From is null || at < From ? at : From;
            To = To is null || at > To ? at : To;
        }
    }
}
