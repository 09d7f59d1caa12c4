using System.Globalization;
using MicoPortal.Server.Data;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Verification;

/// <summary>
/// Sends Received orders to the provider: one create per order per delivery attempt. A round claims as
/// many orders as the provider's limiter has free slots, starts their creates and returns; the answers
/// are recorded by <see cref="DeliveryPipeline"/> as they arrive. There is no batch to wait for: a slot
/// freed by one answer is filled by the next round, and a create that hangs until its timeout holds
/// one slot and nothing else.
/// </summary>
public sealed class DispatchSweep(
    IDbContextFactory<PortalDbContext> dbFactory,
    OrderClaims claims,
    IProviderClient provider,
    ProviderCallbackAddress callbackAddress,
    ProviderLimiters limiters,
    DeliveryPipeline pipeline,
    IOptions<VerificationOptions> options,
    TimeProvider time)
{
    /// <summary>One round: wait for free slots, claim that many orders, start their creates. Returns orders claimed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var limiter = limiters.Default;
        var free = await SlotWait.ForFreeSlotsAsync(limiter, pipeline, time, ProviderCallKind.Create, int.MaxValue, cancellationToken,
            queriesReserved: options.Value.MaxQueriesInFlight);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var batch = await claims.ClaimForDispatchAsync(db, Math.Min(free, options.Value.DispatchBatchSize), cancellationToken);
        var callbackUrl = callbackAddress.Value;
        foreach (var order in batch.Orders)
        {
            pipeline.Track(ProviderCallKind.Create, () => SendAsync(order, callbackUrl, cancellationToken));
        }

        return batch.Orders.Count;
    }

    /// <summary>
    /// The token only cancels waiting for a slot or a rate token (shutdown): the order is then handed back
    /// as never sent. Once the create is on the wire it runs to its answer or its own timeout.
    /// </summary>
    private async Task SendAsync(Order order, string? callbackUrl, CancellationToken cancellationToken)
    {
        CreateResult answer;
        try
        {
            answer = await provider.CreateOrderAsync(ToProviderRequest(order, callbackUrl), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            pipeline.HandBack(order, neverSent: true);
            return;
        }

        pipeline.Record(answer switch
        {
            CreateResult.Accepted a => new OrderWork(order, new CreateAnswered(a.Order), AttemptKind.Create, a.Call, a.Order.Status),
            CreateResult.Rejected r => new OrderWork(order, new CreateRejected(r.Code, r.Message), AttemptKind.Create, r.Call, Error: $"{r.Code}: {r.Message}"),
            CreateResult.Unknown u => new OrderWork(order, new CreateOutcomeUnknown(u.Error, u.RetryAfter), AttemptKind.Create, u.Call, Error: u.Error),
            var other => throw new InvalidOperationException($"Unexpected create result {other}"),
        });
    }

    internal static ProviderCreateOrderRequest ToProviderRequest(Order order, string? callbackUrl) => new(
        order.ClientRef,
        order.Sku,
        new ProviderAccount(order.MicoUserId, order.Region),
        order.Coins,
        new ProviderMoney(order.Amount.ToString(CultureInfo.InvariantCulture), order.Currency),
        callbackUrl);
}

/// <summary>How a sweep waits for the provider's limiter before claiming.</summary>
internal static class SlotWait
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Waits until at least a few slots are free (an eighth of the limit, at most 50, so claims are not
    /// one order each) and returns how many, counting at most <paramref name="maxOfKind"/> calls of
    /// <paramref name="kind"/> in flight. Creates leave room for <paramref name="queriesReserved"/> queries
    /// (at most a quarter of the limit), so a flood of creates never starves the queries that confirm
    /// them. Every call ends within its own timeout, so this ends too.
    /// </summary>
    public static async Task<int> ForFreeSlotsAsync(ProviderLimiter limiter, DeliveryPipeline pipeline, TimeProvider time,
        ProviderCallKind kind, int maxOfKind, CancellationToken cancellationToken, int queriesReserved = 0)
    {
        while (true)
        {
            var limit = limiter.Limit;
            var reserved = Math.Max(0, Math.Min(queriesReserved, limit / 4) - pipeline.CallsInFlight(ProviderCallKind.Query));
            // An answer not yet recorded still holds its slot: claiming faster than answers are saved would
            // only lengthen the writer's queue until leases run out while answers wait in it.
            var free = Math.Min(limit - reserved - pipeline.CallsInFlight() - pipeline.AnswersQueued, maxOfKind - pipeline.CallsInFlight(kind));
            var worthClaiming = Math.Min(Math.Clamp(limit / 8, 1, 50), maxOfKind);
            if (free > 0 && free >= worthClaiming)
            {
                return free;
            }

            await Task.Delay(Poll, time, cancellationToken);
        }
    }
}
