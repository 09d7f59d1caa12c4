using Hangfire;
using MicoPortal.Server.Data;
using MicoPortal.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Audit;

/// <summary>
/// Numbers unsealed audit entries in the order they were written and chains their hashes. Writers
/// only append; this one job extends the chain, in short transactions. Two sealers (two server
/// instances) cannot fork the chain: the sequence number is unique, so the slower one's save fails
/// and its round is simply tried again from the new head.
/// </summary>
public sealed class AuditSealer(
    IDbContextFactory<PortalDbContext> dbFactory,
    IOptions<AuditOptions> options,
    RecurringJobRunner runner,
    WriteGate writeGate,
    TimeProvider time,
    ILogger<AuditSealer> logger)
{
    public const string JobId = "audit-seal";

    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    private DateTimeOffset _lastCheckpointAt = DateTimeOffset.MinValue;

    /// <summary>
    /// Seals until nothing is pending (or the budget is spent), then writes a checkpoint when one is due. A failed
    /// round skips nothing: the next one starts from the stored head.
    /// </summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Seal the audit ledger")]
    public Task SealPendingAsync(CancellationToken cancellationToken) =>
        runner.RunAsync(JobId, Budget, async token =>
        {
            // Every round, not only an idle one: under steady traffic there is always something to seal.
            var sealedCount = await SealOnceAsync(token);
            await CheckpointIfDueAsync(token);
            return sealedCount > 0;
        }, cancellationToken);

    /// <summary>Seals one batch; returns how many entries were sealed (0 when none were pending or another sealer won).</summary>
    public async Task<int> SealOnceAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Serializable: the pending rows and the head are read and extended as one step. On SQLite it is
        // BEGIN IMMEDIATE (the one write lock); on PostgreSQL and SQL Server, of two sealers on other
        // instances that read the same rows, one fails and tries again from the new head (the unique
        // sequence catches what isolation would not).
        using var turn = await writeGate.EnterAsync(db.Database, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken);
        var pending = await db.AuditEntries.AsNoTracking()
            .Where(e => e.Sequence == null)
            .OrderBy(e => e.Id)
            .Take(options.Value.SealBatch)
            .ToListAsync(cancellationToken);
        if (pending.Count == 0)
        {
            return 0;
        }

        var head = await db.AuditEntries.AsNoTracking()
            .Where(e => e.Sequence != null)
            .OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Hash })
            .FirstOrDefaultAsync(cancellationToken);
        var sequence = head?.Sequence ?? 0;
        var previous = head?.Hash ?? AuditChain.Genesis;
        foreach (var entry in pending)
        {
            sequence++;
            entry.Sequence = sequence;
            entry.PreviousHash = previous;
            entry.Hash = AuditChain.HashOf(entry, sequence, previous);
            previous = entry.Hash;
        }

        try
        {
            // Plain statements: under load thousands of entries a second are sealed, and change tracking cost more than the hashing.
            await RowWriter.UpdateAsync(db, pending, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return pending.Count;
        }
        catch (DbUpdateException ex)
        {
            logger.LogInformation(ex, "Another sealer extended the audit chain first; sealing again from its head");
            return 0;
        }
    }

    private async Task CheckpointIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - _lastCheckpointAt < options.Value.CheckpointInterval)
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var head = await db.AuditEntries.AsNoTracking()
            .Where(e => e.Sequence != null)
            .OrderByDescending(e => e.Sequence)
            .Select(e => new { Sequence = e.Sequence!.Value, Hash = e.Hash! })
            .FirstOrDefaultAsync(cancellationToken);
        if (head is null)
        {
            return;
        }

        var last = await db.AuditCheckpoints.AsNoTracking().OrderByDescending(c => c.Sequence).Select(c => (long?)c.Sequence).FirstOrDefaultAsync(cancellationToken);
        if (last != head.Sequence)
        {
            db.AuditCheckpoints.Add(new AuditCheckpoint { Sequence = head.Sequence, Hash = head.Hash, At = now });
            await writeGate.WriteAsync(db.Database, () => db.SaveChangesAsync(cancellationToken), cancellationToken);
            // The log is the copy outside the database: compare it with GET /api/v1/audit/verify?sequence=&hash=.
            logger.LogInformation("{Checkpoint}", AuditChain.CheckpointLine(head.Sequence, head.Hash));
        }

        _lastCheckpointAt = now;
    }
}
