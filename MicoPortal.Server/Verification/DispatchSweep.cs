using System.Collections.Concurrent;
using System.Globalization;
using MicoPortal.Server.Data;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Verification;

/// <summary>Sends Received orders to the provider: one create per order per delivery attempt.</summary>
public sealed class DispatchSweep(
    IDbContextFactory<PortalDbContext> dbFactory,
    OrderClaims claims,
    IProviderClient provider,
    ProviderCallbackAddress callbackAddress,
    OrderTransitions transitions,
    ProviderConcurrency concurrency)
{
    /// <summary>One round: claim a batch, send the creates, record what came back. Returns orders processed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var batch = await claims.ClaimForDispatchAsync(db, cancellationToken);
        if (batch.Orders.Count == 0)
        {
            return 0;
        }

        var callbackUrl = callbackAddress.Value;
        var answers = new ConcurrentDictionary<long, CreateResult>();
        // Started, not answered: the create may have reached the provider (the call threw after sending),
        // so only orders never started count as unsent.
        var started = new ConcurrentDictionary<long, byte>();
        var saved = false;
        try
        {
            try
            {
                // Shutdown stops new creates from starting; Parallel.ForEachAsync still waits for the ones
                // already started, so every create that left this process has its answer recorded below.
                await Parallel.ForEachAsync(batch.Orders, new ParallelOptions { MaxDegreeOfParallelism = concurrency.Limit, CancellationToken = cancellationToken }, async (order, _) =>
                {
                    // Not cancelled by shutdown once sent: an abandoned create is an unknown outcome we would rather avoid.
                    started[order.Id] = 0;
                    answers[order.Id] = await provider.CreateOrderAsync(ToProviderRequest(order, callbackUrl), CancellationToken.None);
                });
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Record what was sent, then hand the rest back (finally) and end the run.
            }

            var work = batch.Orders.Where(order => answers.ContainsKey(order.Id)).Select(order => answers[order.Id] switch
            {
                CreateResult.Accepted a => new OrderWork(order, new CreateAnswered(a.Order), AttemptKind.Create, a.Call, a.Order.Status),
                CreateResult.Rejected r => new OrderWork(order, new CreateRejected(r.Code, r.Message), AttemptKind.Create, r.Call, Error: $"{r.Code}: {r.Message}"),
                CreateResult.Unknown u => new OrderWork(order, new CreateOutcomeUnknown(u.Error, u.RetryAfter), AttemptKind.Create, u.Call, Error: u.Error),
                var other => throw new InvalidOperationException($"Unexpected create result {other}"),
            }).ToList();
            if (work.Count > 0)
            {
                await transitions.ApplyAsync(db, work, batch.Lease, CancellationToken.None);
            }

            saved = true;

            cancellationToken.ThrowIfCancellationRequested();
            return batch.Orders.Count;
        }
        finally
        {
            // Claimed but never started (shutdown, or a failure before the call): nothing reached the provider, so the
            // order goes back to the queue as never issued, now rather than when the lease expires. An order whose
            // create was sent keeps CreateIssuedAt; if its answer could not be saved, the verify sweep asks the
            // provider about it (never a second create before REF_NOT_FOUND).
            var unsent = batch.Orders.Where(o => !started.ContainsKey(o.Id)).Select(o => o.Id).ToList();
            if (unsent.Count > 0)
            {
                await claims.ReleaseAsync(dbFactory, unsent, batch.Lease, neverSent: true);
            }

            List<long> unsaved = saved ? [] : [.. started.Keys];
            if (unsaved.Count > 0)
            {
                await claims.ReleaseAsync(dbFactory, unsaved, batch.Lease, neverSent: false);
            }
        }
    }

    internal static ProviderCreateOrderRequest ToProviderRequest(Order order, string? callbackUrl) => new(
        order.ClientRef,
        order.Sku,
        new ProviderAccount(order.MicoUserId, order.Region),
        order.Coins,
        new ProviderMoney(order.Amount.ToString(CultureInfo.InvariantCulture), order.Currency),
        callbackUrl);
}
