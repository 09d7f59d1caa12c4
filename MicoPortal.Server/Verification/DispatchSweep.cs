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
        await Parallel.ForEachAsync(batch.Orders, new ParallelOptions { MaxDegreeOfParallelism = concurrency.Limit, CancellationToken = CancellationToken.None }, async (order, _) =>
        {
            // Not cancelled by shutdown once sent: an abandoned create is an unknown outcome we would rather avoid.
            answers[order.Id] = await provider.CreateOrderAsync(ToProviderRequest(order, callbackUrl), CancellationToken.None);
        });

        var work = batch.Orders.Select(order => answers[order.Id] switch
        {
            CreateResult.Accepted a => new OrderWork(order, new CreateAnswered(a.Order), AttemptKind.Create, a.Call, a.Order.Status),
            CreateResult.Rejected r => new OrderWork(order, new CreateRejected(r.Code, r.Message), AttemptKind.Create, r.Call, Error: $"{r.Code}: {r.Message}"),
            CreateResult.Unknown u => new OrderWork(order, new CreateOutcomeUnknown(u.Error, u.RetryAfter), AttemptKind.Create, u.Call, Error: u.Error),
            var other => throw new InvalidOperationException($"Unexpected create result {other}"),
        }).ToList();
        await transitions.ApplyAsync(db, work, batch.Lease, CancellationToken.None);
        return batch.Orders.Count;
    }

    internal static ProviderCreateOrderRequest ToProviderRequest(Order order, string? callbackUrl) => new(
        order.ClientRef,
        order.Sku,
        new ProviderAccount(order.MicoUserId, order.Region),
        order.Coins,
        new ProviderMoney(order.Amount.ToString(CultureInfo.InvariantCulture), order.Currency),
        callbackUrl);
}
