using MicoPortal.Server.Data;
using MicoPortal.Shared.Audit;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Audit;

/// <summary>
/// Walks the sealed chain in sequence order, recomputing every hash, and compares the chain with
/// the stored checkpoints (and, when given, one from outside the database, e.g. copied from the log).
/// Reads in pages, so memory stays flat however long the ledger is.
/// </summary>
public sealed class AuditVerifier(IDbContextFactory<PortalDbContext> dbFactory)
{
    private const int Page = 5_000;

    public async Task<AuditVerification> VerifyAsync(AuditCheckpointClaim? external, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var checkpoints = await db.AuditCheckpoints.AsNoTracking().OrderBy(c => c.Sequence).ToListAsync(cancellationToken);
        var expectedHashes = checkpoints
            .Select(c => (c.Sequence, c.Hash, Source: "checkpoint"))
            .Concat(external is null ? [] : [(external.Sequence, external.Hash, Source: "the given checkpoint")])
            .ToList();
        var pending = await db.AuditEntries.LongCountAsync(e => e.Sequence == null, cancellationToken);

        var previous = AuditChain.Genesis;
        long last = 0;
        BrokenAuditEntry? broken = null;
        while (broken is null)
        {
            var page = await db.AuditEntries.AsNoTracking()
                .Where(e => e.Sequence > last)
                .OrderBy(e => e.Sequence)
                .Take(Page)
                .ToListAsync(cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var entry in page)
            {
                var sequence = entry.Sequence!.Value;
                broken = CheckLink(entry, sequence, last, previous);
                if (broken is not null)
                {
                    break;
                }

                foreach (var claim in expectedHashes.Where(c => c.Sequence == sequence && !string.Equals(c.Hash, entry.Hash, StringComparison.OrdinalIgnoreCase)))
                {
                    broken = new BrokenAuditEntry(sequence, $"entry {sequence} does not match {claim.Source} for it: the chain was rewritten from here or earlier");
                }

                if (broken is not null)
                {
                    break;
                }

                previous = entry.Hash!;
                last = sequence;
            }
        }

        if (broken is null && expectedHashes.Where(c => c.Sequence > last).OrderBy(c => c.Sequence).FirstOrDefault() is { Source: not null } beyond)
        {
            broken = new BrokenAuditEntry(last + 1, $"the chain ends at entry {last} but {beyond.Source} names entry {beyond.Sequence}: entries were removed from the end");
        }

        return new AuditVerification(broken is null, last, broken, pending, checkpoints.Count);
    }

    private static BrokenAuditEntry? CheckLink(AuditEntry entry, long sequence, long last, string previous)
    {
        if (sequence != last + 1)
        {
            return new BrokenAuditEntry(last + 1, last + 1 == sequence - 1
                ? $"entry {last + 1} is missing"
                : $"entries {last + 1} to {sequence - 1} are missing");
        }

        if (!string.Equals(entry.PreviousHash, previous, StringComparison.Ordinal))
        {
            return new BrokenAuditEntry(sequence, $"entry {sequence} does not follow entry {last}: an entry was removed, inserted or moved");
        }

        if (!string.Equals(entry.Hash, AuditChain.HashOf(entry, sequence, previous), StringComparison.Ordinal))
        {
            return new BrokenAuditEntry(sequence, $"entry {sequence} was altered: its content does not match its hash");
        }

        return null;
    }
}

/// <summary>A checkpoint an auditor kept outside the database (the log line <c>audit-checkpoint sequence=.. hash=..</c>).</summary>
public sealed record AuditCheckpointClaim(long Sequence, string Hash);
