using System.Diagnostics;
using MicoPortal.Server.Telemetry;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Orders;

public enum IntakeOutcome
{
    Created,
    Existing,
    Conflict,
    Invalid,
}

/// <summary>What became of one order of a request: <see cref="Order"/> is set when it was created now.</summary>
public sealed record IntakeResult(string? ExternalId, IntakeOutcome Outcome, long? OrderId = null, Order? Order = null, IDictionary<string, string[]>? Errors = null);

/// <summary>
/// Accepts paid orders from a shop: validation here, then idempotency by the shop's
/// <c>externalId</c> and the insert in <see cref="OrderIntakeWriter"/>'s group commit. New orders
/// are due for dispatch at once.
/// </summary>
public sealed class OrderIntake(OrderIntakeWriter writer)
{
    public async Task<IntakeResult> AcceptAsync(CreateOrderRequest? request, string shop, CancellationToken cancellationToken) =>
        (await AcceptManyAsync([request], shop, cancellationToken))[0];

    /// <summary>Results in the order of the requests.</summary>
    public async Task<IReadOnlyList<IntakeResult>> AcceptManyAsync(IReadOnlyList<CreateOrderRequest?> requests, string shop, CancellationToken cancellationToken)
    {
        using var activity = PortalTelemetry.Source.StartActivity(PortalTelemetry.Spans.Intake)?
            .SetTag(PortalTelemetry.Attributes.Shop, shop).SetTag(PortalTelemetry.Attributes.Count, requests.Count);
        var results = new IntakeResult?[requests.Count];
        var valid = new List<(int Index, ValidOrder Order)>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            var (order, errors) = OrderValidation.Validate(requests[i]);
            if (order is null)
            {
                results[i] = new IntakeResult(requests[i]?.ExternalId, IntakeOutcome.Invalid, Errors: errors);
            }
            else
            {
                valid.Add((i, order));
            }
        }

        if (valid.Count > 0)
        {
            var written = await writer.InsertAsync(shop, [.. valid.Select(v => v.Order)], cancellationToken);
            for (var i = 0; i < valid.Count; i++)
            {
                results[valid[i].Index] = written[i];
            }
        }

        if (activity is { IsAllDataRequested: true })
        {
            Trace(activity, results!);
        }

        return results!;
    }

    /// <summary>One order's intake carries its id; a batch's name each order by an event (README, Telemetry).</summary>
    private static void Trace(Activity activity, IntakeResult[] results)
    {
        if (results.Length == 1)
        {
            activity.SetTag(PortalTelemetry.Attributes.OrderId, results[0].OrderId).SetTag(PortalTelemetry.Attributes.Outcome, results[0].Outcome.ToString());
            return;
        }

        foreach (var result in results)
        {
            if (result.OrderId is { } id)
            {
                activity.AddEvent(new ActivityEvent(PortalTelemetry.OrderAcceptedEvent, tags: new ActivityTagsCollection
                {
                    [PortalTelemetry.Attributes.OrderId] = id,
                    [PortalTelemetry.Attributes.Outcome] = result.Outcome.ToString(),
                }));
            }
        }
    }
}
