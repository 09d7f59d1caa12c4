using System.Globalization;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Orders;

/// <summary>Entity to contract records.</summary>
public static class OrderMapping
{
    /// <summary>Money as a decimal string with at least two decimals ("4.99", "5.00").</summary>
    public static string FormatMoney(decimal amount) => amount.ToString("0.00##", CultureInfo.InvariantCulture);

    public static OrderDto ToDto(this Order order, IEnumerable<OrderAttempt> attempts,
        IEnumerable<OrderNote>? notes = null, IEnumerable<OrderResolution>? resolutions = null) => new(
        order.Id,
        order.ExternalId,
        order.MicoUserId,
        order.Region,
        order.Sku,
        order.Coins,
        FormatMoney(order.Amount),
        order.Currency,
        order.Status,
        order.Stuck,
        order.Disputed,
        order.AttemptNo,
        order.ClientRef,
        order.ProviderRef,
        order.ProviderStatus,
        order.ReasonCode ?? (order.Disputed ? "DISPUTED" : null),
        order.Disputed && order.DisputeReason is not null ? order.DisputeReason : order.ReasonMessage,
        order.ProofSerial is null ? null : new ProofDto(order.ProofSerial, order.DeliveredQuantity ?? 0, order.DeliveredAt ?? order.UpdatedAt),
        Confirmations(order),
        [.. attempts.Select(ToDto)],
        order.ReceivedAt,
        order.SubmittedAt,
        order.CompletedAt,
        order.UpdatedAt,
        order.NextCheckAt,
        order.LatencyMs,
        order.CustomerPhone,
        order.Provider,
        [.. (notes ?? []).Select(n => n.ToDto())],
        [.. (resolutions ?? []).Select(r => r.ToDto())],
        order.LateDeliveryWatchUntil);

    public static AttemptDto ToDto(this OrderAttempt attempt) => new(
        attempt.Id,
        attempt.DeliveryAttemptNo,
        Order.FormatClientRef(attempt.OrderId, attempt.DeliveryAttemptNo),
        attempt.Kind.ToString(),
        attempt.At,
        attempt.HttpStatus,
        attempt.ProviderStatus,
        attempt.Outcome,
        attempt.LatencyMs,
        attempt.Error,
        attempt.Actor,
        attempt.Provider);

    public static IReadOnlyList<ConfirmationDto> Confirmations(Order order)
    {
        var list = new List<ConfirmationDto>(4);
        if (order.ApiConfirmedAt is { } api)
        {
            list.Add(new ConfirmationDto(ConfirmationSource.Api, api));
        }

        if (order.CallbackConfirmedAt is { } callback)
        {
            list.Add(new ConfirmationDto(ConfirmationSource.Callback, callback));
        }

        if (order.LedgerConfirmedAt is { } ledger)
        {
            list.Add(new ConfirmationDto(ConfirmationSource.Ledger, ledger));
        }

        if (order.ManualConfirmedAt is { } manual)
        {
            list.Add(new ConfirmationDto(ConfirmationSource.Manual, manual));
        }

        return list;
    }
}
