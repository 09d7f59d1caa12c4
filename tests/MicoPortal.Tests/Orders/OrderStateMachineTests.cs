using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Verification;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;

namespace MicoPortal.Tests.Orders;

public class OrderStateMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly VerificationPolicy Policy = new(new VerificationOptions { Jitter = 0 }, new Random(1));

    private static Order NewOrder(OrderStatus status = OrderStatus.Received)
    {
        var order = TestOrders.Received("shop-42", T0);
        order.Id = 42;
        order.Status = status;
        order.CreateIssuedAt = status == OrderStatus.Received ? null : T0;
        return order;
    }

    private static ProviderOrder View(string status, long version, string clientRef = "42-1", bool proof = true) => new(
        clientRef, "SBX-1", status, status == ProviderStatuses.Failed ? "ACCOUNT_INVALID" : null, null,
        proof && status is ProviderStatuses.Success or ProviderStatuses.Reversed ? new ProviderProof("SN-1", 500, T0) : null,
        T0, T0, version);

    private static Transition Apply(Order order, OrderEvent evt, int seconds = 1) =>
        OrderStateMachine.Apply(order, evt, T0.AddSeconds(seconds), Policy);

    [Fact]
    public void Create_answer_pending_submits_and_schedules_first_check_after_two_seconds()
    {
        var order = NewOrder();
        var t = Apply(order, new CreateAnswered(View(ProviderStatuses.Pending, 1)));

        Assert.Equal(OrderStatus.Submitted, order.Status);
        Assert.True(t.Visible);
        Assert.Equal(T0.AddSeconds(3), order.NextCheckAt);
        Assert.Equal("SBX-1", order.ProviderRef);
    }

    [Fact]
    public void Success_with_proof_delivers_with_api_confirmation_latency_and_settlement_check()
    {
        var order = NewOrder(OrderStatus.Submitted);
        Apply(order, new QueryAnswered(View(ProviderStatuses.Success, 2)), seconds: 3);

        Assert.Equal(OrderStatus.Delivered, order.Status);
        Assert.Equal(T0.AddSeconds(3), order.ApiConfirmedAt);
        Assert.Equal(3000, order.LatencyMs);
        Assert.Equal("SN-1", order.ProofSerial);
        Assert.Equal(T0.AddSeconds(3) + Policy.SettlementCheckAfter, order.NextCheckAt);
    }

    [Fact]
    public void Success_without_proof_is_not_a_delivery()
    {
        var order = NewOrder(OrderStatus.Submitted);
        Apply(order, new QueryAnswered(View(ProviderStatuses.Success, 2, proof: false)));

        Assert.Equal(OrderStatus.Submitted, order.Status);
        Assert.NotNull(order.NextCheckAt);
    }

    [Fact]
    public void Older_or_equal_version_never_overrides_newer_state()
    {
        var order = NewOrder(OrderStatus.Submitted);
        Apply(order, new QueryAnswered(View(ProviderStatuses.Success, 3)));
        Apply(order, new QueryAnswered(View(ProviderStatuses.Pending, 2)));

        Assert.Equal(OrderStatus.Delivered, order.Status);
        Assert.Equal(3, order.ProviderVersion);
    }

    [Fact]
    public void Create_timeout_makes_order_unknown_and_honours_retry_after()
    {
        var order = NewOrder();
        order.CreateIssuedAt = T0; // set by the dispatch claim before sending
        Apply(order, new CreateOutcomeUnknown("timeout", TimeSpan.FromSeconds(30)));

        Assert.Equal(OrderStatus.Unknown, order.Status);
        Assert.Equal(T0.AddSeconds(31), order.NextCheckAt);
        Assert.Equal(T0, order.CreateIssuedAt);
    }

    [Fact]
    public void Only_ref_not_found_clears_create_issued_so_the_order_may_be_sent_again()
    {
        var order = NewOrder();
        order.CreateIssuedAt = T0;
        Apply(order, new CreateOutcomeUnknown("timeout", null));
        Apply(order, new QueryFailed("HTTP 503", TimeSpan.FromSeconds(1)));
        Assert.NotNull(order.CreateIssuedAt);

        Apply(order, new QueryNotFound());

        Assert.Equal(OrderStatus.Received, order.Status);
        Assert.Null(order.CreateIssuedAt);
        Assert.Equal(1, order.AttemptNo);
    }

    [Fact]
    public void Ref_not_found_for_a_submitted_order_disputes_it_and_does_not_resend()
    {
        var order = NewOrder(OrderStatus.Submitted);
        Apply(order, new QueryNotFound());

        Assert.Equal(OrderStatus.Submitted, order.Status);
        Assert.True(order.Disputed);
        Assert.NotNull(order.CreateIssuedAt);
    }

    [Theory]
    [InlineData(OrderStatus.Received)]
    [InlineData(OrderStatus.Submitted)]
    [InlineData(OrderStatus.Unknown)]
    public void An_open_order_past_its_SLA_is_flagged_stuck_and_keeps_its_place_in_the_queue(OrderStatus status)
    {
        var order = NewOrder(status);
        order.NextCheckAt = T0.AddMinutes(20);
        order.LeaseUntil = T0.AddMinutes(16);
        var t = OrderStateMachine.Apply(order, new SlaPassed(), order.DueBy.AddSeconds(1), Policy);

        Assert.True(t.Accepted);
        Assert.True(t.Visible);
        Assert.True(order.Stuck);
        Assert.Equal(status, order.Status);
        Assert.Equal(T0.AddMinutes(20), order.NextCheckAt);
        Assert.Equal(T0.AddMinutes(16), order.LeaseUntil);
    }

    [Fact]
    public void An_order_already_stuck_is_not_flagged_again()
    {
        var order = NewOrder(OrderStatus.Submitted);
        order.Stuck = true;
        var t = OrderStateMachine.Apply(order, new SlaPassed(), T0.AddMinutes(16), Policy);

        Assert.False(t.Accepted);
        Assert.False(t.Visible);
    }

    [Theory]
    [InlineData(OrderStatus.Delivered, 16)]
    [InlineData(OrderStatus.Failed, 16)]
    [InlineData(OrderStatus.Reversed, 16)]
    [InlineData(OrderStatus.Submitted, 14)] // still within its 15 minutes
    public void A_final_order_or_one_within_its_SLA_is_not_flagged_stuck(OrderStatus status, int minutes)
    {
        var order = NewOrder(status);
        var t = OrderStateMachine.Apply(order, new SlaPassed(), T0.AddMinutes(minutes), Policy);

        Assert.False(t.Accepted);
        Assert.False(t.Visible);
        Assert.False(order.Stuck);
    }

    [Fact]
    public void Failed_query_answer_fails_the_order_and_stops_checking()
    {
        var order = NewOrder(OrderStatus.Submitted);
        order.Stuck = true;
        var t = Apply(order, new QueryAnswered(View(ProviderStatuses.Failed, 2)));

        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.Equal("ACCOUNT_INVALID", order.ReasonCode);
        Assert.Null(order.NextCheckAt);
        Assert.False(order.Stuck);
        Assert.True(t.Visible);
    }

    [Fact]
    public void Delivered_then_reversed_becomes_reversed()
    {
        var order = NewOrder(OrderStatus.Submitted);
        Apply(order, new QueryAnswered(View(ProviderStatuses.Success, 2)));
        Apply(order, new QueryAnswered(View(ProviderStatuses.Reversed, 3)));

        Assert.Equal(OrderStatus.Reversed, order.Status);
    }

    [Fact]
    public void Delivered_order_reported_failed_is_disputed_not_failed()
    {
        var order = NewOrder(OrderStatus.Submitted);
        Apply(order, new QueryAnswered(View(ProviderStatuses.Success, 2)));
        Apply(order, new QueryAnswered(View(ProviderStatuses.Failed, 3)));

        Assert.Equal(OrderStatus.Delivered, order.Status);
        Assert.True(order.Disputed);
    }

    [Fact]
    public void Callback_is_a_hint_it_confirms_but_never_moves_the_status()
    {
        var order = NewOrder(OrderStatus.Submitted);
        order.NextCheckAt = T0.AddMinutes(1);
        var t = Apply(order, new CallbackReceived(View(ProviderStatuses.Success, 2)));

        Assert.Equal(OrderStatus.Submitted, order.Status);
        Assert.Equal(T0.AddSeconds(1), order.CallbackConfirmedAt);
        Assert.Equal(T0.AddSeconds(1), order.NextCheckAt); // verify now
        Assert.False(t.Visible);
    }

    [Fact]
    public void Older_callback_after_newer_is_ignored()
    {
        var order = NewOrder(OrderStatus.Delivered);
        Apply(order, new CallbackReceived(View(ProviderStatuses.Reversed, 3)));
        var nextCheck = order.NextCheckAt;
        Apply(order, new CallbackReceived(View(ProviderStatuses.Success, 2)), seconds: 2);

        Assert.Equal(3, order.CallbackVersion);
        Assert.Null(order.CallbackConfirmedAt);
        Assert.Equal(nextCheck, order.NextCheckAt);
    }

    [Fact]
    public void Callback_success_then_query_failed_is_disputed()
    {
        var order = NewOrder(OrderStatus.Submitted);
        Apply(order, new CallbackReceived(View(ProviderStatuses.Success, 2)));
        Apply(order, new QueryAnswered(View(ProviderStatuses.Failed, 3)));

        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.True(order.Disputed);
    }

    [Fact]
    public void Callback_for_an_earlier_attempt_is_ignored()
    {
        var order = NewOrder(OrderStatus.Submitted);
        order.AttemptNo = 2;
        Apply(order, new CallbackReceived(View(ProviderStatuses.Success, 5, clientRef: "42-1")));

        Assert.Null(order.CallbackConfirmedAt);
        Assert.Equal(0, order.CallbackVersion);
    }

    [Theory]
    [InlineData(OrderStatus.Received)]
    [InlineData(OrderStatus.Submitted)]
    [InlineData(OrderStatus.Unknown)]
    [InlineData(OrderStatus.Delivered)]
    [InlineData(OrderStatus.Reversed)]
    public void Retry_delivery_is_refused_unless_failed(OrderStatus status)
    {
        var order = NewOrder(status);
        var t = Apply(order, new RetryDeliveryRequested("admin"));

        Assert.False(t.Accepted);
        Assert.Equal(status, order.Status);
        Assert.Equal(1, order.AttemptNo);
    }

    [Fact]
    public void Retry_delivery_of_a_failed_order_starts_a_new_attempt_with_a_new_reference()
    {
        var order = NewOrder(OrderStatus.Submitted);
        Apply(order, new QueryAnswered(View(ProviderStatuses.Failed, 2)));
        var t = Apply(order, new RetryDeliveryRequested("admin"), seconds: 60);

        Assert.True(t.Accepted);
        Assert.Equal(OrderStatus.Received, order.Status);
        Assert.Equal(2, order.AttemptNo);
        Assert.Equal("42-2", order.ClientRef);
        Assert.Null(order.CreateIssuedAt);
        Assert.Equal(0, order.ProviderVersion);
        Assert.Equal(T0.AddSeconds(60) + Policy.StuckAfter, order.DueBy);
    }

    [Fact]
    public void Ref_conflict_on_create_never_resends_and_disputes()
    {
        var order = NewOrder();
        order.CreateIssuedAt = T0;
        Apply(order, new CreateRejected(ProviderErrorCodes.RefConflict, "different body"));

        Assert.Equal(OrderStatus.Unknown, order.Status);
        Assert.True(order.Disputed);
        Assert.NotNull(order.CreateIssuedAt);
    }

    [Fact]
    public void Validation_rejection_on_create_is_a_confirmed_failure()
    {
        var order = NewOrder();
        Apply(order, new CreateRejected(ProviderErrorCodes.Validation, "bad sku"));

        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.Equal(ProviderErrorCodes.Validation, order.ReasonCode);
    }

    [Fact]
    public void Backoff_grows_and_caps_at_ten_minutes()
    {
        var order = NewOrder(OrderStatus.Submitted);
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            Apply(order, new QueryFailed("HTTP 500", null), seconds: 0);
            delays.Add(order.NextCheckAt!.Value - T0);
        }

        Assert.Equal(
            [2, 5, 15, 30, 60, 120, 300, 600, 600, 600],
            delays.Select(d => (int)d.TotalSeconds).ToArray());
    }

    [Fact]
    public void A_failed_check_of_a_delivered_order_is_retried_not_dropped()
    {
        var order = NewOrder(OrderStatus.Submitted);
        Apply(order, new QueryAnswered(View(ProviderStatuses.Success, 2)));
        Apply(order, new CallbackReceived(View(ProviderStatuses.Reversed, 3)), seconds: 10);
        Apply(order, new QueryFailed("HTTP 503", TimeSpan.FromSeconds(30)), seconds: 11);

        Assert.Equal(OrderStatus.Delivered, order.Status);
        Assert.Equal(T0.AddSeconds(41), order.NextCheckAt);

        Apply(order, new QueryAnswered(View(ProviderStatuses.Reversed, 3)), seconds: 41);
        Assert.Equal(OrderStatus.Reversed, order.Status);
        Assert.Null(order.NextCheckAt);
    }

    [Fact]
    public void Reverify_of_a_final_order_schedules_a_check_now()
    {
        var order = NewOrder(OrderStatus.Failed);
        order.NextCheckAt = null;
        Apply(order, new ReverifyRequested("admin"));

        Assert.Equal(T0.AddSeconds(1), order.NextCheckAt);
        Assert.Equal(OrderStatus.Failed, order.Status);
    }

    [Theory]
    [InlineData("42-1", true, 42, 1)]
    [InlineData("7-12", true, 7, 12)]
    [InlineData("abc-1", false, 0, 0)]
    [InlineData("42", false, 0, 0)]
    [InlineData("-1", false, 0, 0)]
    [InlineData("42--1", false, 0, 0)]
    public void Client_reference_round_trips(string clientRef, bool valid, long id, int attempt)
    {
        Assert.Equal(valid, Order.TryParseClientRef(clientRef, out var parsedId, out var parsedAttempt));
        if (valid)
        {
            Assert.Equal((id, attempt), (parsedId, parsedAttempt));
        }
    }

    [Theory]
    [InlineData(OrderStatus.Delivered, true)]
    [InlineData(OrderStatus.Submitted, true)]
    [InlineData(OrderStatus.Failed, false)]
    [InlineData(OrderStatus.Reversed, false)]
    public void A_transaction_log_disagreement_disputes_and_checks_an_order_that_can_still_move(OrderStatus status, bool checkedAgain)
    {
        var order = NewOrder(status);
        order.NextCheckAt = null;

        var t = Apply(order, new LedgerDisagreed("the log says FAILED"), seconds: 5);

        Assert.True(order.Disputed);
        Assert.Equal("transaction log: the log says FAILED", order.DisputeReason);
        Assert.Equal(status, order.Status);
        Assert.True(t.Visible);
        Assert.Equal(checkedAgain ? T0.AddSeconds(5) : null, order.NextCheckAt);
    }

    [Fact]
    public void An_order_holding_a_signed_success_is_asked_again_within_two_seconds_however_many_queries_failed()
    {
        var order = NewOrder(OrderStatus.Submitted);
        Apply(order, new CallbackReceived(View(ProviderStatuses.Success, 2)), seconds: 0);
        Assert.NotNull(order.CallbackConfirmedAt);

        for (var i = 0; i < 6; i++)
        {
            Apply(order, new QueryFailed("HTTP 500", null), seconds: 0);
        }

        // Six failures in a row: the ordinary backoff would now be 2 minutes (then 5, then 10).
        Assert.Equal(6, order.CheckCount);
        Assert.Equal(T0.AddSeconds(2), order.NextCheckAt);

        // The provider's Retry-After still wins.
        Apply(order, new QueryFailed("HTTP 429", TimeSpan.FromSeconds(30)), seconds: 0);
        Assert.Equal(T0.AddSeconds(30), order.NextCheckAt);
    }

    [Fact]
    public void Without_a_signed_success_or_once_stuck_failed_queries_follow_the_ordinary_backoff()
    {
        var plain = NewOrder(OrderStatus.Submitted);
        var stuck = NewOrder(OrderStatus.Submitted);
        Apply(stuck, new CallbackReceived(View(ProviderStatuses.Success, 2)), seconds: 0);
        stuck.Stuck = true;

        for (var i = 0; i < 6; i++)
        {
            Apply(plain, new QueryFailed("HTTP 500", null), seconds: 0);
            Apply(stuck, new QueryFailed("HTTP 500", null), seconds: 0);
        }

        Assert.Equal(T0.AddMinutes(2), plain.NextCheckAt);
        Assert.Equal(T0.AddMinutes(2), stuck.NextCheckAt);
    }
}
