using MicoPortal.Server.Providers;
using MicoPortal.Server.Verification;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Orders;

/// <summary>What applying an event did.</summary>
/// <param name="Accepted">False when the event is not allowed in the order's state (e.g. retry of a non-failed order).</param>
/// <param name="From">Status before.</param>
/// <param name="Outcome">A short sentence for the attempt timeline.</param>
/// <param name="Visible">True when status or flags changed: dashboards must hear of it.</param>
/// <param name="LateDelivery">
/// The provider reported SUCCESS for an attempt a person had settled as Failed: a <c>lateDelivery</c> incident opens.
/// </param>
public readonly record struct Transition(bool Accepted, OrderStatus From, OrderStatus To, string Outcome, bool Visible, bool LateDelivery = false);

/// <summary>
/// The one place where an order's delivery state changes (docs/api.md section 1). Sweeps, callbacks
/// and admin endpoints only feed it events. It does no I/O and reads no clock: the caller passes
/// <c>now</c> and the pacing policy, so every rule is unit-tested.
/// Rules it guards: a create is re-sent only after REF_NOT_FOUND (<see cref="Order.CreateIssuedAt"/>
/// is cleared nowhere else); retry only from Failed, with a new attempt number; a provider view is
/// applied only when its version is higher; a callback never moves the status by itself; failover to
/// another provider (docs/api.md section 8) only after a confirmed failure or REF_NOT_FOUND, never while an
/// outcome is unknown or a signed callback reports success, and never back to a provider already tried.
/// </summary>
public static class OrderStateMachine
{
    public static Transition Apply(Order order, OrderEvent evt, DateTimeOffset now, VerificationPolicy policy)
    {
        var from = order.Status;
        var flags = (order.Stuck, order.Disputed);
        var watching = order.LateDeliveryWatchUntil is not null;
        var knownVersion = order.ProviderVersion;

        var (accepted, outcome) = evt switch
        {
            CreateAnswered e => OnProviderView(order, e.Order, now, policy, "create"),
            CreateRejected e => OnCreateRejected(order, e, now, policy),
            CreateOutcomeUnknown e => OnCreateUnknown(order, e, now, policy),
            QueryAnswered e => OnProviderView(order, e.Order, now, policy, "query"),
            QueryNotFound => OnQueryNotFound(order, now, policy),
            QueryFailed e => RetryCheck(order, now, policy, e.RetryAfter, $"query failed: {e.Error}"),
            CallbackReceived e => OnCallback(order, e, now),
            ReverifyRequested => OnReverify(order, now),
            RetryDeliveryRequested => OnRetryDelivery(order, now, policy),
            LedgerDisagreed e => OnLedgerDisagreed(order, e, now),
            SlaPassed => OnSlaPassed(order, now),
            ResolvedByPerson e => OnResolved(order, e, now, policy),
            _ => throw new ArgumentOutOfRangeException(nameof(evt), evt, "Unknown order event"),
        };

        if (order.Status.IsFinal())
        {
            order.Stuck = false;
        }

        // Found later: a SUCCESS for the watched reference newer than anything known when the person settled it.
        var answer = evt switch { QueryAnswered q => q.Order, CreateAnswered c => c.Order, _ => null };
        var lateDelivery = watching && answer is { Status: ProviderStatuses.Success, Proof: not null } && answer.Version > knownVersion
            && string.Equals(answer.ClientRef, order.ClientRef, StringComparison.Ordinal);
        if (lateDelivery)
        {
            Dispute(order, $"provider reports SUCCESS for {order.ClientRef} after a person settled it as Failed");
            outcome = $"late delivery: provider reports SUCCESS for {order.ClientRef}, settled as Failed by a person";
        }

        WatchForLateDelivery(order, now, policy, lateDelivery);
        var visible = from != order.Status || flags != (order.Stuck, order.Disputed);
        if (accepted)
        {
            order.UpdatedAt = now;
        }

        return new Transition(accepted, from, order.Status, outcome, visible, lateDelivery);
    }

    /// <summary>
    /// The watch of an attempt a person settled as Failed: its reference is queried every
    /// <see cref="VerificationPolicy.LateDeliveryCheckInterval"/> until the window ends, the provider confirms the
    /// failure, or a late SUCCESS is found. Any other path that ends the attempt (a retry) ends the watch too.
    /// </summary>
    private static void WatchForLateDelivery(Order order, DateTimeOffset now, VerificationPolicy policy, bool lateDelivery)
    {
        if (order.LateDeliveryWatchUntil is not { } until)
        {
            return;
        }

        if (lateDelivery || until <= now || order.Status != OrderStatus.Failed)
        {
            order.LateDeliveryWatchUntil = null;
            return;
        }

        // Settle() clears the next check of a final order; the watch keeps one, never past its window.
        if (order.NextCheckAt is null || order.NextCheckAt > until)
        {
            var next = now + policy.LateDeliveryCheckInterval;
            order.NextCheckAt = next < until ? next : until;
        }
    }

    /// <summary>Applies the provider's view of the order (from a create or a query answer).</summary>
    private static (bool, string) OnProviderView(Order order, ProviderOrder view, DateTimeOffset now, VerificationPolicy policy, string source)
    {
        if (!string.Equals(view.ClientRef, order.ClientRef, StringComparison.Ordinal))
        {
            return (true, $"{source} answer for {view.ClientRef} ignored: current reference is {order.ClientRef}");
        }

        if (view.Version <= order.ProviderVersion)
        {
            // Nothing new. A repeated success still confirms a delivered order.
            if (view.Status == ProviderStatuses.Success && order.Status == OrderStatus.Delivered)
            {
                order.ApiConfirmedAt ??= now;
                order.NextCheckAt = null;
                return (true, "delivery confirmed again");
            }

            return Reschedule(order, now, policy, null, $"{source}: no newer version (still {view.Status}, version {view.Version})");
        }

        order.ProviderVersion = view.Version;
        order.ProviderRef = view.ProviderRef;
        order.ProviderStatus = view.Status;
        order.ReasonCode = view.ReasonCode;
        order.ReasonMessage = view.ReasonMessage;
        if (view.Proof is { } proof)
        {
            order.ProofSerial = proof.Serial;
            order.DeliveredQuantity = proof.DeliveredQuantity;
            order.DeliveredAt = proof.DeliveredAt;
        }

        var open = !order.Status.IsFinal();
        switch (view.Status)
        {
            case ProviderStatuses.Pending when open:
                order.SubmittedAt ??= now;
                Become(order, OrderStatus.Submitted);
                return Reschedule(order, now, policy, null, "provider reports PENDING");

            case ProviderStatuses.Success when view.Proof is null:
                if (!open)
                {
                    return Settle(order, "SUCCESS without proof ignored for a final order");
                }

                order.SubmittedAt ??= now;
                Become(order, OrderStatus.Submitted);
                return Reschedule(order, now, policy, null, "provider reports SUCCESS without proof: waiting for proof");

            case ProviderStatuses.Success when open || order.Status == OrderStatus.Delivered:
                if (open)
                {
                    Become(order, OrderStatus.Delivered);
                    order.SubmittedAt ??= now;
                    order.CompletedAt = now;
                    order.LatencyMs = (long)(now - order.ReceivedAt).TotalMilliseconds;
                    order.ApiConfirmedAt = now;
                    // One later look catches a reversal even if its callback is lost.
                    order.NextCheckAt = policy.SettlementCheckAfter > TimeSpan.Zero ? now + policy.SettlementCheckAfter : null;
                    return (true, "delivered: provider reports SUCCESS with proof");
                }

                order.ApiConfirmedAt ??= now;
                return Settle(order, "delivery confirmed again");

            case ProviderStatuses.Failed when open && MayFailOver(order, view.ReasonCode, policy):
                return FailOver(order, now, $"{view.ReasonCode ?? "FAILED"}");

            case ProviderStatuses.Failed when open:
                Become(order, OrderStatus.Failed);
                order.CompletedAt = now;
                if (order.CallbackConfirmedAt is not null)
                {
                    Dispute(order, "a signed callback said SUCCESS, the provider's status query says FAILED");
                }

                return Settle(order, $"failed: {view.ReasonCode ?? "provider reports FAILED"}");

            case ProviderStatuses.Reversed when open || order.Status == OrderStatus.Delivered:
                Become(order, OrderStatus.Reversed);
                order.CompletedAt = now;
                return Settle(order, $"reversed: {view.ReasonCode ?? "provider reports REVERSED"}");

            case ProviderStatuses.Failed when order.LateDeliveryWatchUntil is not null:
                // The provider itself now says nothing was delivered: the person's decision is confirmed, the watch ends.
                order.LateDeliveryWatchUntil = null;
                return Settle(order, $"provider confirms the failure ({view.ReasonCode ?? "FAILED"}): late-delivery watch ended");

            case ProviderStatuses.Pending or ProviderStatuses.Reversed when order.LateDeliveryWatchUntil is not null:
                // A person settled it as Failed: the provider has not delivered (yet), so the watch goes on.
                return Settle(order, $"watching for a late delivery: provider reports {view.Status}");

            case ProviderStatuses.Pending or ProviderStatuses.Success or ProviderStatuses.Failed or ProviderStatuses.Reversed:
                // A final order the provider now describes differently: a person must look.
                Dispute(order, $"provider reports {view.Status} for an order that is {order.Status}");
                return Settle(order, $"disputed: provider reports {view.Status} for a {order.Status} order");

            default:
                return Reschedule(order, now, policy, null, $"unrecognised provider status '{view.Status}'");
        }
    }

    private static (bool, string) OnCreateRejected(Order order, CreateRejected e, DateTimeOffset now, VerificationPolicy policy)
    {
        if (order.Status != OrderStatus.Received)
        {
            return (true, $"late create rejection ({e.Code}) ignored");
        }

        if (e.Code == ProviderErrorCodes.RefConflict)
        {
            // The reference exists with another body: never send again, find out what the provider holds.
            Become(order, OrderStatus.Unknown);
            Dispute(order, "provider answered REF_CONFLICT: it holds this reference with a different order");
            return Reschedule(order, now, policy, null, "create rejected with REF_CONFLICT");
        }

        if (MayFailOver(order, e.Code, policy))
        {
            return FailOver(order, now, $"rejected with {e.Code}");
        }

        Become(order, OrderStatus.Failed);
        order.ReasonCode = e.Code;
        order.ReasonMessage = e.Message;
        order.CompletedAt = now;
        return Settle(order, $"failed: provider rejected the order ({e.Code})");
    }

    private static (bool, string) OnCreateUnknown(Order order, CreateOutcomeUnknown e, DateTimeOffset now, VerificationPolicy policy)
    {
        if (order.Status != OrderStatus.Received)
        {
            return (true, "late create failure ignored");
        }

        Become(order, OrderStatus.Unknown);
        order.ReasonCode = "OUTCOME_UNKNOWN";
        order.ReasonMessage = e.Error;
        return Reschedule(order, now, policy, e.RetryAfter, $"outcome unknown: {e.Error}");
    }

    private static (bool, string) OnQueryNotFound(Order order, DateTimeOffset now, VerificationPolicy policy)
    {
        if (order.Status is OrderStatus.Received or OrderStatus.Unknown && order.CallbackConfirmedAt is not null)
        {
            // A signed callback said this very reference was delivered: sending it again (anywhere) could deliver twice.
            Become(order, OrderStatus.Unknown);
            Dispute(order, "a signed callback said SUCCESS, the provider answers REF_NOT_FOUND");
            return Reschedule(order, now, policy, null, "disputed: REF_NOT_FOUND after a signed SUCCESS callback; not sent again");
        }

        if (order.Status is OrderStatus.Received or OrderStatus.Unknown)
        {
            // The provider never took this reference, so nothing is delivered anywhere: another provider may
            // take the order (a new attempt), or, with none left, the same reference is sent again to the same
            // provider (rule 1; the attempt stays with its provider).
            if (policy.Routes.CanFailOver(order))
            {
                return FailOver(order, now, ProviderErrorCodes.RefNotFound);
            }

            Become(order, OrderStatus.Received);
            order.CreateIssuedAt = null;
            order.ReasonCode = null;
            order.ReasonMessage = null;
            order.NextCheckAt = now;
            return (true, "provider has no such order (REF_NOT_FOUND): safe to send again");
        }

        if (order.LateDeliveryWatchUntil is not null)
        {
            // The provider never took this reference: nothing can be delivered under it; the person's decision is confirmed.
            order.LateDeliveryWatchUntil = null;
            return Settle(order, "provider has no such order (REF_NOT_FOUND): the failure is confirmed, late-delivery watch ended");
        }

        Dispute(order, $"provider answered REF_NOT_FOUND for an order that is {order.Status}");
        return order.Status.IsFinal()
            ? Settle(order, "disputed: provider no longer knows a final order")
            : Reschedule(order, now, policy, null, "disputed: provider no longer knows a submitted order");
    }

    private static (bool, string) OnCallback(Order order, CallbackReceived e, DateTimeOffset now)
    {
        var view = e.Order;
        if (!string.Equals(view.ClientRef, order.ClientRef, StringComparison.Ordinal))
        {
            // A success for an earlier attempt of this order, which its provider had failed: the order may now
            // be delivered twice (once there, once by the attempt that followed). A person must look.
            if (view.Status == ProviderStatuses.Success && view.Proof is not null
                && Order.TryParseClientRef(view.ClientRef, out var id, out var attemptNo) && id == order.Id && attemptNo < order.AttemptNo)
            {
                Dispute(order, $"provider {e.Provider} reports SUCCESS for earlier attempt {view.ClientRef}, which it had failed");
                return (true, $"disputed: {e.Provider} reports SUCCESS for earlier attempt {view.ClientRef}");
            }

            return (true, $"callback for {view.ClientRef} ignored: current reference is {order.ClientRef}");
        }

        if (!string.Equals(e.Provider, order.Provider ?? ProviderCatalog.DefaultProvider, StringComparison.Ordinal))
        {
            return (true, $"callback from {e.Provider} ignored: attempt {order.ClientRef} is at {order.Provider ?? "no provider"}");
        }

        if (view.Version <= order.CallbackVersion)
        {
            return (true, $"callback version {view.Version} ignored: already saw {order.CallbackVersion}");
        }

        order.CallbackVersion = view.Version;
        if (view.Status == ProviderStatuses.Success && view.Proof is not null)
        {
            order.CallbackConfirmedAt ??= now;
            if (order.Status == OrderStatus.Failed)
            {
                Dispute(order, "a signed callback says SUCCESS, the provider's status query said FAILED");
            }
        }
        else if (view.Status == ProviderStatuses.Failed && order.Status == OrderStatus.Delivered)
        {
            Dispute(order, "a signed callback says FAILED for a delivered order");
        }

        // The callback is a hint: ask the provider now unless it agrees with what we already know.
        var agrees = (view.Status, order.Status) switch
        {
            (ProviderStatuses.Success, OrderStatus.Delivered) => true,
            (ProviderStatuses.Failed, OrderStatus.Failed) => true,
            (ProviderStatuses.Reversed, OrderStatus.Reversed) => true,
            (ProviderStatuses.Pending, OrderStatus.Submitted) => true,
            _ => false,
        };
        if (!agrees && (order.NextCheckAt is null || order.NextCheckAt > now))
        {
            order.NextCheckAt = now;
        }

        return (true, agrees ? $"callback {view.Status} agrees" : $"callback {view.Status}: verifying with the provider");
    }

    /// <summary>Only the flag changes: the order keeps its place in the queue, its lease and its pacing.</summary>
    private static (bool, string) OnSlaPassed(Order order, DateTimeOffset now)
    {
        if (order.Status.IsFinal() || order.Stuck || order.DueBy > now)
        {
            return (false, order.Stuck ? "already stuck" : $"not stuck: {(order.Status.IsFinal() ? "final" : "within its SLA")}");
        }

        order.Stuck = true;
        return (true, "not final past its SLA");
    }

    private static (bool, string) OnLedgerDisagreed(Order order, LedgerDisagreed e, DateTimeOffset now)
    {
        Dispute(order, $"transaction log: {e.Reason}");
        // The log is evidence, not a status: the provider's own answer decides. Ask it now when the
        // order can still move (open, or delivered and possibly reversed since).
        if (!order.Status.IsFinal() || order.Status == OrderStatus.Delivered)
        {
            order.NextCheckAt = now;
            order.CheckCount = 0;
            return (true, $"disputed by the transaction log ({e.Reason}): checking with the provider");
        }

        return (true, $"disputed by the transaction log: {e.Reason}");
    }

    /// <summary>
    /// A person's settlement. Delivered adds the <c>manual</c> confirmation; Failed starts the late-delivery watch
    /// when the attempt may have reached its provider. Either way the person's word settles a dispute.
    /// </summary>
    private static (bool, string) OnResolved(Order order, ResolvedByPerson e, DateTimeOffset now, VerificationPolicy policy)
    {
        if (!order.IsResolvable)
        {
            return (false, $"resolve refused: order is {order.Status}, only Unknown, stuck or disputed orders can be settled by hand");
        }

        order.Disputed = false;
        order.DisputeReason = null;
        order.NextCheckAt = null;
        if (e.Outcome == ResolutionOutcomes.Delivered)
        {
            if (order.Status != OrderStatus.Delivered)
            {
                Become(order, OrderStatus.Delivered);
                order.CompletedAt = now;
                order.LatencyMs = (long)(now - order.ReceivedAt).TotalMilliseconds;
            }

            order.ManualConfirmedAt = now;
            order.LateDeliveryWatchUntil = null;
            // The person is the attempt's actor (masked for shops); the outcome names only the decision.
            return (true, $"resolved as Delivered by a person: {e.Reason}");
        }

        Become(order, OrderStatus.Failed);
        order.CompletedAt = now;
        order.ManualConfirmedAt = null;
        order.ReasonCode = ResolvedFailedCode;
        order.ReasonMessage = e.Reason;
        // Only an attempt whose create may have reached a provider can still be delivered there (no provider stored: default).
        order.LateDeliveryWatchUntil = order.CreateIssuedAt is not null ? now + policy.LateDeliveryWatch : null;
        var watch = order.LateDeliveryWatchUntil is null ? "" : $"; watching {order.ClientRef} at {order.Provider ?? ProviderCatalog.DefaultProvider} for a late delivery";
        return (true, $"resolved as Failed by a person: {e.Reason}{watch}");
    }

    /// <summary>The reason code of an order a person settled as Failed.</summary>
    public const string ResolvedFailedCode = "RESOLVED_FAILED";

    private static (bool, string) OnReverify(Order order, DateTimeOffset now)
    {
        if (order.Status == OrderStatus.Received && order.CreateIssuedAt is null)
        {
            order.NextCheckAt = now;
            return (true, "re-verify requested: not sent yet, dispatching");
        }

        order.NextCheckAt = now;
        order.CheckCount = 0;
        return (true, "re-verify requested");
    }

    private static (bool, string) OnRetryDelivery(Order order, DateTimeOffset now, VerificationPolicy policy)
    {
        if (!order.Status.AllowsRetryDelivery())
        {
            return (false, $"retry refused: order is {order.Status}, only Failed orders can be retried");
        }

        if (order.LateDeliveryWatchUntil is not null)
        {
            // A person said Failed, the provider has not: attempt {ClientRef} may still be delivered, and a new one could
            // deliver twice. Retry once the provider confirms (FAILED or REF_NOT_FOUND) or the watch ends.
            return (false, $"retry refused: {order.ClientRef} was settled as Failed by a person and the provider has not confirmed it; watching until {order.LateDeliveryWatchUntil:u}");
        }

        // A person's retry starts a fresh round over every provider.
        order.ProvidersTried = null;
        StartNewAttempt(order);
        order.Disputed = false;
        order.DisputeReason = null;
        order.Stuck = false;
        order.DueBy = now + policy.StuckAfter;
        order.NextCheckAt = now;
        return (true, $"retry delivery: new attempt {order.ClientRef}");
    }

    /// <summary>
    /// Failover is allowed for a failure of the provider's own (not the customer's account), when no signed
    /// callback claims the attempt succeeded (then the sources disagree and a person decides) and another
    /// provider that serves the order has not had an attempt of it yet.
    /// </summary>
    private static bool MayFailOver(Order order, string? reasonCode, VerificationPolicy policy) =>
        reasonCode != ProviderReasonCodes.AccountInvalid && order.CallbackConfirmedAt is null && policy.Routes.CanFailOver(order);

    /// <summary>
    /// The current attempt is over at its provider with nothing delivered: the order starts a new attempt
    /// (new reference) that dispatch routes to the next provider. The SLA still runs from Received.
    /// </summary>
    private static (bool, string) FailOver(Order order, DateTimeOffset now, string reason)
    {
        var from = order.Provider ?? "its provider";
        ProviderRoutes.MarkTried(order);
        StartNewAttempt(order);
        order.NextCheckAt = now;
        return (true, $"failed at {from} ({reason}): failing over as attempt {order.ClientRef}");
    }

    /// <summary>A new delivery attempt: new reference, no provider yet, nothing known about it.</summary>
    private static void StartNewAttempt(Order order)
    {
        order.AttemptNo++;
        Become(order, OrderStatus.Received);
        order.CreateIssuedAt = null;
        order.Provider = null;
        order.ProviderRef = null;
        order.ProviderStatus = null;
        order.ProviderVersion = 0;
        order.CallbackVersion = 0;
        order.ReasonCode = null;
        order.ReasonMessage = null;
        order.ProofSerial = null;
        order.DeliveredQuantity = null;
        order.DeliveredAt = null;
        order.ApiConfirmedAt = null;
        order.CallbackConfirmedAt = null;
        order.LedgerConfirmedAt = null;
        order.ManualConfirmedAt = null;
        order.LateDeliveryWatchUntil = null;
        order.SubmittedAt = null;
        order.CompletedAt = null;
        order.LatencyMs = null;
    }

    private static void Become(Order order, OrderStatus status)
    {
        if (order.Status != status)
        {
            order.Status = status;
            order.CheckCount = 0;
        }
    }

    private static void Dispute(Order order, string reason)
    {
        order.Disputed = true;
        order.DisputeReason = reason;
    }

    private static (bool, string) Reschedule(Order order, DateTimeOffset now, VerificationPolicy policy, TimeSpan? retryAfter, string outcome)
    {
        if (order.Status.IsFinal())
        {
            return Settle(order, outcome);
        }

        order.CheckCount++;
        order.NextCheckAt = now + policy.NextCheckDelay(order.CheckCount, retryAfter, DeliveryInHand(order));
        return (true, outcome);
    }

    /// <summary>
    /// A check that got no answer is tried again later, whatever the status: a delivered order being
    /// checked for a reversal (callback hint, settlement check, admin) must not give up on one failure.
    /// </summary>
    private static (bool, string) RetryCheck(Order order, DateTimeOffset now, VerificationPolicy policy, TimeSpan? retryAfter, string outcome)
    {
        order.CheckCount++;
        order.NextCheckAt = now + policy.NextCheckDelay(order.CheckCount, retryAfter, DeliveryInHand(order));
        return (true, outcome);
    }

    /// <summary>
    /// An open order holding a signed SUCCESS callback: only its confirming query is missing, so it is not
    /// left to the ordinary backoff. Not once it is stuck: a provider that never confirms is a case for a person.
    /// </summary>
    private static bool DeliveryInHand(Order order) => order.CallbackConfirmedAt is not null && !order.Status.IsFinal() && !order.Stuck;

    /// <summary>A final order needs no more checks until someone or something asks again.</summary>
    private static (bool, string) Settle(Order order, string outcome)
    {
        order.NextCheckAt = null;
        return (true, outcome);
    }
}
