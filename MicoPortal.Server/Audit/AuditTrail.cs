using MicoPortal.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Audit;

/// <summary>
/// Appends operator actions to the audit ledger. Order transitions are appended by
/// <see cref="Verification.OrderTransitions"/> in the transaction that makes them.
/// </summary>
public sealed class AuditTrail(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    public const int MaxDetails = 1_000;

    /// <summary>Adds an entry to <paramref name="db"/>: saved, or not, with the caller's own changes.</summary>
    public void Add(PortalDbContext db, string? actor, string action, string details, long? orderId = null) =>
        db.AuditEntries.Add(New(actor, action, details, orderId, time.GetUtcNow()));

    /// <summary>Records an action whose own change was saved elsewhere (e.g. by ASP.NET Core Identity).</summary>
    public async Task RecordAsync(string? actor, string action, string details, CancellationToken cancellationToken, long? orderId = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        Add(db, actor, action, details, orderId);
        await db.SaveChangesAsync(cancellationToken);
    }

    public static AuditEntry New(string? actor, string action, string details, long? orderId, DateTimeOffset at) => new()
    {
        At = at,
        Actor = actor,
        Action = action,
        OrderId = orderId,
        Details = details.Length <= MaxDetails ? details : details[..MaxDetails],
    };
}
