using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Verification;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;

namespace MicoPortal.Tests.Orders;

/// <summary>
/// A person's settlement of an order (docs/api.md section 10) in the state machine: allowed only for an order that
/// is Unknown, stuck or disputed; Delivered adds the manual confirmation; Failed starts a 7-day watch of the
/// attempt's reference, during which only a newer SUCCESS disputes the order (and opens a late-delivery incident).
/// </summary>
public class ResolutionStateMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static readonly VerificationPolicy Policy = new(new VerificationOptions
    {
        Jitter = 0,
        LateDeliveryWatch = TimeSpan.FromDays(7),
        LateDeliveryCheckInterval = TimeSpan.FromMinutes(15),
    }, new Random(1));

    private static Order Sent(OrderStatus status, bool stuck = false, bool disputed = false, long version = 1)
    {
        var order = TestOrders.Received("shop-7", T0);
        order.Id = 7;
        order.Status = status;
        order.Stuck = stuck;
        order.Disputed = disputed;
        order.DisputeReason = disputed ? "a signed callback said SUCCESS, the provider's status query says FAILED" : null;
        order.CreateIssuedAt = T0;
        order.Provider = "default";
        order.ProviderVersion = version;
        return order;
    }

    private static ProviderOrder View(string status, long version) => new(
        "7-1", "P-1", status, status == ProviderStatuses.Failed ? "OUT_OF_STOCK" : null, null,
        status == ProviderStatuses.Success ? new ProviderProof("SN-LATE", 500, T0) : null, T0, T0, version);

    private static Transition Apply(Order order, OrderEvent evt, TimeSpan? after = null) =>
        OrderStateMachine.Apply(order, evt, T0 + (after ?? TimeSpan.FromHours(1)), Policy);

    private static ResolvedByPerson Resolve(string outcome) => new(outcome, "support desk confirmed by e-mail", "admin@example.com", "ticket 4711");

    [Theory]
    [InlineData(OrderStatus.Unknown, false, false)]
    [InlineData(OrderStatus.Submitted, true, false)]
    [InlineData(OrderStatus.Received, true, false)]
    [InlineData(OrderStatus.Delivered, false, true)]
    [InlineData(OrderStatus.Failed, false, true)]
    public void Unknown_stuck_or_disputed_orders_can_be_settled_as_Delivered(OrderStatus status, bool stuck, bool disputed)
    {
        var order = Sent(status, stuck, disputed);

        var t = Apply(order, Resolve(ResolutionOutcomes.Delivered));

        Assert.True(t.Accepted);
        Assert.Equal(OrderStatus.Delivered, order.Status);
        Assert.Equal(T0.AddHours(1), order.ManualConfirmedAt);
        Assert.False(order.Stuck);
        Assert.False(order.Disputed);
        Assert.Null(order.DisputeReason);
        Assert.Null(order.NextCheckAt);
        Assert.Null(order.LateDeliveryWatchUntil);
        Assert.Contains("resolved as Delivered by a person", t.Outcome, StringComparison.Ordinal);
        Assert.DoesNotContain("admin@example.com", t.Outcome, StringComparison.Ordinal); // the actor is the attempt's, masked for shops
        Assert.True(t.Visible);
    }

    [Theory]
    [InlineData(OrderStatus.Delivered)]
    [InlineData(OrderStatus.Failed)]
    [InlineData(OrderStatus.Reversed)]
    [InlineData(OrderStatus.Submitted)]
    [InlineData(OrderStatus.Received)]
    public void An_order_automation_is_still_handling_or_has_settled_cleanly_is_refused(OrderStatus status)
    {
        var order = Sent(status);
        order.NextCheckAt = T0.AddSeconds(5);

        var t = Apply(order, Resolve(ResolutionOutcomes.Failed));

        Assert.False(t.Accepted);
        Assert.Equal(status, order.Status);
        Assert.Equal(T0.AddSeconds(5), order.NextCheckAt);
        Assert.Null(order.LateDeliveryWatchUntil);
        Assert.Contains("resolve refused", t.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public void Settled_as_Failed_the_attempt_is_watched_for_seven_days()
    {
        var order = Sent(OrderStatus.Unknown, stuck: true);

        var t = Apply(order, Resolve(ResolutionOutcomes.Failed));

        Assert.True(t.Accepted);
        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.Equal(OrderStateMachine.ResolvedFailedCode, order.ReasonCode);
        Assert.Equal("support desk confirmed by e-mail", order.ReasonMessage);
        Assert.Null(order.ManualConfirmedAt);
        Assert.False(order.Stuck);
        Assert.Equal(T0.AddHours(1) + TimeSpan.FromDays(7), order.LateDeliveryWatchUntil);
        Assert.Equal(T0.AddHours(1) + TimeSpan.FromMinutes(15), order.NextCheckAt);
        Assert.Contains("watching 7-1 at default", t.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public void An_attempt_with_no_provider_stored_is_watched_at_default()
    {
        var order = Sent(OrderStatus.Unknown, stuck: true);
        order.Provider = null;

        var t = Apply(order, Resolve(ResolutionOutcomes.Failed));

        Assert.NotNull(order.LateDeliveryWatchUntil);
        Assert.Contains("at default", t.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public void An_attempt_that_never_reached_a_provider_is_not_watched()
    {
        var order = Sent(OrderStatus.Received, stuck: true);
        order.CreateIssuedAt = null;
        order.Provider = null;

        Apply(order, Resolve(ResolutionOutcomes.Failed));

        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.Null(order.LateDeliveryWatchUntil);
        Assert.Null(order.NextCheckAt);
    }

    [Fact]
    public void While_watching_a_PENDING_agrees_and_the_watch_goes_on()
    {
        var order = Sent(OrderStatus.Unknown, stuck: true);
        Apply(order, Resolve(ResolutionOutcomes.Failed));

        var t = Apply(order, new QueryAnswered(View(ProviderStatuses.Pending, version: 2)), TimeSpan.FromHours(2));

        Assert.False(t.LateDelivery);
        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.False(order.Disputed);
        Assert.NotNull(order.LateDeliveryWatchUntil);
        Assert.Equal(T0.AddHours(2) + TimeSpan.FromMinutes(15), order.NextCheckAt);
    }

    [Fact]
    public void The_providers_own_FAILED_confirms_the_person_and_ends_the_watch()
    {
        var order = Sent(OrderStatus.Unknown, stuck: true);
        Apply(order, Resolve(ResolutionOutcomes.Failed));

        var t = Apply(order, new QueryAnswered(View(ProviderStatuses.Failed, version: 2)), TimeSpan.FromHours(2));

        Assert.False(t.LateDelivery);
        Assert.Equal((OrderStatus.Failed, false), (order.Status, order.Disputed));
        Assert.Null(order.LateDeliveryWatchUntil);
        Assert.Null(order.NextCheckAt);
        Assert.Contains("watch ended", t.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public void REF_NOT_FOUND_confirms_the_person_ends_the_watch_and_nothing_is_sent_again()
    {
        var order = Sent(OrderStatus.Unknown, stuck: true);
        Apply(order, Resolve(ResolutionOutcomes.Failed));

        var t = Apply(order, new QueryNotFound(), TimeSpan.FromHours(2));

        Assert.False(t.LateDelivery);
        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.Equal(1, order.AttemptNo);
        Assert.NotNull(order.CreateIssuedAt);
        Assert.False(order.Disputed);
        Assert.Null(order.LateDeliveryWatchUntil);
        Assert.Null(order.NextCheckAt);
    }

    [Fact]
    public void A_query_that_fails_while_watching_keeps_the_watch()
    {
        var order = Sent(OrderStatus.Unknown, stuck: true);
        Apply(order, Resolve(ResolutionOutcomes.Failed));

        Apply(order, new QueryFailed("timeout", null), TimeSpan.FromHours(2));

        Assert.NotNull(order.LateDeliveryWatchUntil);
        Assert.NotNull(order.NextCheckAt);
    }

    [Fact]
    public void A_later_SUCCESS_flags_the_order_disputed_and_reports_a_late_delivery_once()
    {
        var order = Sent(OrderStatus.Unknown, stuck: true);
        Apply(order, Resolve(ResolutionOutcomes.Failed));

        var t = Apply(order, new QueryAnswered(View(ProviderStatuses.Success, version: 3)), TimeSpan.FromDays(2));

        Assert.True(t.LateDelivery);
        Assert.True(t.Visible);
        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.True(order.Disputed);
        Assert.Contains("after a person settled it as Failed", order.DisputeReason, StringComparison.Ordinal);
        Assert.Equal("SN-LATE", order.ProofSerial);
        Assert.Null(order.LateDeliveryWatchUntil);
        Assert.Null(order.NextCheckAt);

        // The same answer again is nothing new.
        var again = Apply(order, new QueryAnswered(View(ProviderStatuses.Success, version: 3)), TimeSpan.FromDays(2.1));
        Assert.False(again.LateDelivery);
    }

    [Fact]
    public void A_SUCCESS_the_person_already_knew_of_is_not_a_late_delivery()
    {
        // Delivered and disputed by the transaction log; the person decides nothing arrived, knowing the provider's SUCCESS (version 4).
        var order = Sent(OrderStatus.Delivered, disputed: true, version: 4);
        order.ProviderStatus = ProviderStatuses.Success;
        order.ProofSerial = "SN-OLD";
        Apply(order, Resolve(ResolutionOutcomes.Failed));

        var t = Apply(order, new QueryAnswered(View(ProviderStatuses.Success, version: 4)), TimeSpan.FromHours(2));

        Assert.False(t.LateDelivery);
        Assert.False(order.Disputed);
        Assert.NotNull(order.LateDeliveryWatchUntil);
    }

    [Fact]
    public void The_watch_ends_after_seven_days()
    {
        var order = Sent(OrderStatus.Unknown, stuck: true);
        Apply(order, Resolve(ResolutionOutcomes.Failed));

        // The last check falls on the window's end, never after it.
        Apply(order, new QueryAnswered(View(ProviderStatuses.Pending, version: 2)), TimeSpan.FromDays(7) + TimeSpan.FromMinutes(55));
        Assert.Equal(T0.AddHours(1) + TimeSpan.FromDays(7), order.NextCheckAt);

        Apply(order, new QueryAnswered(View(ProviderStatuses.Pending, version: 2)), TimeSpan.FromDays(7) + TimeSpan.FromHours(1));
        Assert.Null(order.LateDeliveryWatchUntil);
        Assert.Null(order.NextCheckAt);
    }

    [Fact]
    public void A_retry_is_refused_while_the_provider_may_still_deliver_and_allowed_once_it_confirms()
    {
        var order = Sent(OrderStatus.Unknown, stuck: true);
        Apply(order, Resolve(ResolutionOutcomes.Failed));

        // A new reference now could deliver twice: the old one may still succeed.
        var refused = Apply(order, new RetryDeliveryRequested("admin@example.com"), TimeSpan.FromHours(2));
        Assert.False(refused.Accepted);
        Assert.Equal(1, order.AttemptNo);
        Assert.Contains("has not confirmed", refused.Outcome, StringComparison.Ordinal);

        Apply(order, new QueryNotFound(), TimeSpan.FromHours(3));
        var retried = Apply(order, new RetryDeliveryRequested("admin@example.com"), TimeSpan.FromHours(4));

        Assert.True(retried.Accepted);
        Assert.Equal(2, order.AttemptNo);
        Assert.Null(order.LateDeliveryWatchUntil);
        Assert.Null(order.ManualConfirmedAt);
    }
}
