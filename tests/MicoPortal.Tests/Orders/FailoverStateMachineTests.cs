using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Verification;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;

namespace MicoPortal.Tests.Orders;

/// <summary>
/// Every failover path of the state machine (docs/api.md section 8): only a confirmed failure of the provider's
/// own, a rejection or REF_NOT_FOUND moves an order to the next provider, as a new attempt; never an unknown
/// outcome, never ACCOUNT_INVALID, never with a signed SUCCESS in hand, never back to a provider already tried.
/// </summary>
public class FailoverStateMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    /// <summary>a (priority 100, every SKU), b (200, every SKU), c (300, only MICO-COINS-100).</summary>
    private static readonly VerificationPolicy Policy = new(new VerificationOptions { Jitter = 0 }, new Random(1))
    {
        Routes = new ProviderRoutes([
            new ProviderRoute("a", 100, [], []),
            new ProviderRoute("b", 200, [], []),
            new ProviderRoute("c", 300, ["MICO-COINS-100"], []),
        ]),
    };

    private static Order SentTo(string provider, OrderStatus status = OrderStatus.Submitted, int attemptNo = 1, string? tried = null)
    {
        var order = TestOrders.Received("shop-7", T0);
        order.Id = 7;
        order.AttemptNo = attemptNo;
        order.Status = status;
        order.CreateIssuedAt = T0;
        order.Provider = provider;
        order.ProvidersTried = tried;
        return order;
    }

    private static ProviderOrder View(string status, string? reason, int attemptNo = 1, long version = 2) => new(
        $"7-{attemptNo}", "P-1", status, reason, null,
        status == ProviderStatuses.Success ? new ProviderProof("SN-1", 500, T0) : null, T0, T0, version);

    private static Transition Apply(Order order, OrderEvent evt) => OrderStateMachine.Apply(order, evt, T0.AddSeconds(1), Policy);

    private static void AssertFailedOverFrom(Order order, string provider, int newAttempt, string tried)
    {
        Assert.Equal(OrderStatus.Received, order.Status);
        Assert.Equal(newAttempt, order.AttemptNo);
        Assert.Equal($"7-{newAttempt}", order.ClientRef);
        Assert.Null(order.Provider);
        Assert.Null(order.CreateIssuedAt);
        Assert.Equal(tried, order.ProvidersTried);
        Assert.Equal(T0.AddSeconds(1), order.NextCheckAt);
        Assert.Null(order.ProviderRef);
        Assert.Equal(0, order.ProviderVersion);
        Assert.DoesNotContain(provider, Policy.Routes.Candidates(order).Select(r => r.Name));
    }

    [Theory]
    [InlineData("OUT_OF_STOCK")]
    [InlineData(null)]
    public void A_confirmed_failure_of_the_providers_own_starts_a_new_attempt_for_the_next_provider(string? reason)
    {
        var order = SentTo("a");
        var t = Apply(order, new QueryAnswered(View(ProviderStatuses.Failed, reason)));

        AssertFailedOverFrom(order, "a", 2, "a");
        Assert.True(t.Visible);
        Assert.Contains("failing over", t.Outcome, StringComparison.Ordinal);
        Assert.Equal("b", Policy.Routes.Candidates(order).First().Name);
    }

    [Fact]
    public void A_failure_in_the_create_answer_fails_over_too()
    {
        var order = SentTo("a", OrderStatus.Received);
        Apply(order, new CreateAnswered(View(ProviderStatuses.Failed, "OUT_OF_STOCK")));
        AssertFailedOverFrom(order, "a", 2, "a");
    }

    [Fact]
    public void A_rejected_create_fails_over()
    {
        var order = SentTo("a", OrderStatus.Received);
        Apply(order, new CreateRejected("VALIDATION", "sku not sold here"));
        AssertFailedOverFrom(order, "a", 2, "a");
    }

    [Fact]
    public void Ref_not_found_fails_over_while_a_provider_is_left()
    {
        var order = SentTo("a", OrderStatus.Unknown);
        Apply(order, new QueryNotFound());
        AssertFailedOverFrom(order, "a", 2, "a");
    }

    [Fact]
    public void Account_invalid_fails_the_order_at_once()
    {
        var order = SentTo("a");
        Apply(order, new QueryAnswered(View(ProviderStatuses.Failed, ProviderReasonCodes.AccountInvalid)));

        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.Equal((1, "a"), (order.AttemptNo, order.Provider));
        Assert.Null(order.NextCheckAt);
    }

    [Fact]
    public void An_unknown_outcome_never_fails_over()
    {
        var order = SentTo("a", OrderStatus.Received);
        Apply(order, new CreateOutcomeUnknown("timeout after 10 s", null));
        Apply(order, new QueryFailed("HTTP 503", null));

        Assert.Equal(OrderStatus.Unknown, order.Status);
        Assert.Equal((1, "a", (string?)null), (order.AttemptNo, order.Provider, order.ProvidersTried));
        Assert.NotNull(order.CreateIssuedAt);
    }

    [Fact]
    public void A_signed_success_in_hand_keeps_the_failure_with_a_person_instead_of_failing_over()
    {
        var order = SentTo("a");
        Apply(order, new CallbackReceived(View(ProviderStatuses.Success, null, version: 2), "a"));
        Apply(order, new QueryAnswered(View(ProviderStatuses.Failed, "OUT_OF_STOCK", version: 3)));

        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.True(order.Disputed);
        Assert.Equal(1, order.AttemptNo);
    }

    [Fact]
    public void With_every_provider_that_serves_the_order_tried_the_failure_is_final()
    {
        // c serves only MICO-COINS-100; this order is MICO-COINS-500, so after a and b there is nowhere left.
        var order = SentTo("b", attemptNo: 2, tried: "a");
        Apply(order, new QueryAnswered(View(ProviderStatuses.Failed, "OUT_OF_STOCK", attemptNo: 2)));

        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.Equal((2, "b"), (order.AttemptNo, order.Provider));
    }

    [Fact]
    public void Ref_not_found_with_no_provider_left_sends_the_same_reference_again()
    {
        var order = SentTo("b", OrderStatus.Unknown, attemptNo: 2, tried: "a");
        Apply(order, new QueryNotFound());

        Assert.Equal(OrderStatus.Received, order.Status);
        Assert.Equal("7-2", order.ClientRef);
        Assert.Null(order.CreateIssuedAt);
        // The same reference goes to the same provider, never to another one.
        Assert.Equal("b", order.Provider);
    }

    [Fact]
    public void Ref_not_found_after_a_signed_success_is_disputed_and_the_reference_is_not_sent_again()
    {
        var order = SentTo("a", OrderStatus.Submitted);
        Apply(order, new CallbackReceived(View(ProviderStatuses.Success, null), "a"));
        order.Status = OrderStatus.Unknown;
        Apply(order, new QueryNotFound());

        Assert.Equal(OrderStatus.Unknown, order.Status);
        Assert.True(order.Disputed);
        Assert.NotNull(order.CreateIssuedAt);
        Assert.Equal((1, "a"), (order.AttemptNo, order.Provider));
    }

    [Fact]
    public void A_callback_from_another_provider_than_the_attempts_is_ignored()
    {
        var order = SentTo("b", attemptNo: 2, tried: "a");
        var t = Apply(order, new CallbackReceived(View(ProviderStatuses.Success, null, attemptNo: 2), "a"));

        Assert.Null(order.CallbackConfirmedAt);
        Assert.Contains("ignored", t.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public void A_late_success_for_an_attempt_its_provider_failed_disputes_the_order()
    {
        var order = SentTo("b", attemptNo: 2, tried: "a");
        var t = Apply(order, new CallbackReceived(View(ProviderStatuses.Success, null, attemptNo: 1), "a"));

        Assert.True(order.Disputed);
        Assert.True(t.Visible);
        Assert.Contains("earlier attempt 7-1", order.DisputeReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_persons_retry_starts_a_fresh_round_over_every_provider()
    {
        var order = SentTo("b", OrderStatus.Failed, attemptNo: 2, tried: "a");
        Apply(order, new RetryDeliveryRequested("admin@example.com"));

        Assert.Equal((OrderStatus.Received, 3, (string?)null, (string?)null), (order.Status, order.AttemptNo, order.Provider, order.ProvidersTried));
        Assert.Equal("a", Policy.Routes.Candidates(order).First().Name);
    }
}
