using System.Globalization;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Orders;

/// <summary>Entity to contract records.</summary>
public static class OrderMapping
{
    /// <summary>Money as a decimal string with at least two decimals ("4.99", "5.00").</summary>
    public static string FormatMoney(decimal amount) => amount.ToString("0.00##", CultureInfo.InvariantCulture);

    /// <summary>The reason code a disputed order shows when the provider gave none.</summary>
    public const string DisputedReasonCode = "DISPUTED";

    /// <summary>
    /// The reason an order shows (its detail, the orders list, webhooks): the provider's code, or
    /// <see cref="DisputedReasonCode"/> for a disputed order without one. Called inside the list's EF projection too
    /// (evaluated on the columns read), so the rule lives here once.
    /// </summary>
    public static string? ShownReasonCode(string? reasonCode, bool disputed) => reasonCode ?? (disputed ? DisputedReasonCode : null);

    /// <summary>The message beside <see cref="ShownReasonCode"/>: why the order is disputed, before the provider's message.</summary>
    public static string? ShownReasonMessage(string? reasonMessage, bool disputed, string? disputeReason) =>
        disputed && disputeReason is not null ? disputeReason : reasonMessage;

    public static OrderDto ToDto(this Order order, IEnumerable<OrderAttempt> attempts,
        IEnumerable<OrderNote>? notes = null, IEnumerable<OrderResolution>? resolutions = null) => new()
        {
            Id = order.Id,
            ExternalId = order.ExternalId,
            MicoUserId = order.MicoUserId,
            Region = order.Region,
            Sku = order.Sku,
            Coins = order.Coins,
            Amount = FormatMoney(order.Amount),
            Currency = order.Currency,
            Status = order.Status,
            Stuck = order.Stuck,
            Disputed = order.Disputed,
            AttemptNo = order.AttemptNo,
            ReasonCode = ShownReasonCode(order.ReasonCode, order.Disputed),
            ReasonMessage = ShownReasonMessage(order.ReasonMessage, order.Disputed, order.DisputeReason),
            ReceivedAt = order.ReceivedAt,
            UpdatedAt = order.UpdatedAt,
            CompletedAt = order.CompletedAt,
            LatencyMs = order.LatencyMs,
            Provider = order.Provider,
            ClientRef = order.ClientRef,
            ProviderRef = order.ProviderRef,
            ProviderStatus = order.ProviderStatus,
            Proof = order.ProofSerial is null ? null : new ProofDto(order.ProofSerial, order.DeliveredQuantity ?? 0, order.DeliveredAt ?? order.UpdatedAt),
            Confirmations = Confirmations(order),
            Attempts = [.. attempts.Select(ToDto)],
            SubmittedAt = order.SubmittedAt,
            NextCheckAt = order.NextCheckAt,
            CustomerPhone = order.CustomerPhone,
            Notes = [.. (notes ?? []).Select(n => n.ToDto())],
            Resolutions = [.. (resolutions ?? []).Select(r => r.ToDto())],
            LateDeliveryWatchUntil = order.LateDeliveryWatchUntil,
        };

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
