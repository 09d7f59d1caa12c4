using MicoPortal.Server.Data;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Verification;

/// <summary>Asks the provider about due orders, up to 500 references per call, and applies the answers.</summary>
public sealed class VerifySweep(
    IDbContextFactory<PortalDbContext> dbFactory,
    OrderClaims claims,
    IProviderClient provider,
    OrderTransitions transitions,
    IOptions<VerificationOptions> options)
{
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var batch = await claims.ClaimForVerifyAsync(db, cancellationToken);
        if (batch.Orders.Count == 0)
        {
            return 0;
        }

        var saved = false;
        try
        {
            // Queries only read, so shutdown may abandon them: the orders are released below and asked again later.
            var chunks = batch.Orders.Chunk(options.Value.QueryChunkSize).ToList();
            var answers = await Task.WhenAll(chunks.Select(chunk =>
                provider.QueryOrdersAsync([.. chunk.Select(o => o.ClientRef)], cancellationToken)));

            var work = new List<OrderWork>(batch.Orders.Count);
            for (var i = 0; i < chunks.Count; i++)
            {
                work.AddRange(ToWork(chunks[i], answers[i]));
            }

            await transitions.ApplyAsync(db, work, batch.Lease, CancellationToken.None);
            saved = true;
            return batch.Orders.Count;
        }
        finally
        {
            if (!saved)
            {
                // Shutdown or a failure: back to the queue now, not when the lease runs out a minute later.
                await claims.ReleaseAsync(dbFactory, [.. batch.Orders.Select(o => o.Id)], batch.Lease, neverSent: false);
            }
        }
    }

    private static IEnumerable<OrderWork> ToWork(IReadOnlyList<Order> orders, QueryResult answer)
    {
        if (answer is QueryResult.Failed failed)
        {
            return orders.Select(o => new OrderWork(o, new QueryFailed(failed.Error, failed.RetryAfter), AttemptKind.Query, failed.Call, Error: failed.Error));
        }

        var answered = (QueryResult.Answered)answer;
        // Answers may come in any order: match by reference, never by position.
        var views = answered.Orders.GroupBy(v => v.ClientRef).ToDictionary(g => g.Key, g => g.MaxBy(v => v.Version)!);
        var notFound = answered.NotFound.ToHashSet(StringComparer.Ordinal);
        return orders.Select(o =>
            views.TryGetValue(o.ClientRef, out var view) ? new OrderWork(o, new QueryAnswered(view), AttemptKind.Query, answered.Call, view.Status)
            : notFound.Contains(o.ClientRef) ? new OrderWork(o, new QueryNotFound(), AttemptKind.Query, answered.Call, Error: ProviderErrorCodes.RefNotFound)
            : new OrderWork(o, new QueryFailed("reference missing from the provider's answer", null), AttemptKind.Query, answered.Call, Error: "missing from answer"));
    }
}
