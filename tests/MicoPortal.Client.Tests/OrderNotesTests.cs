using MicoPortal.Client.Pages;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Client.Tests;

/// <summary>Notes on an order: in its timeline among the provider calls, and any operator may add one.</summary>
public class OrderNotesTests : PortalTestContext
{
    private IRenderedComponent<TestHost> RenderOrder(OrderDto order)
    {
        Api.OrderDetails[order.Id] = order;
        var cut = RenderInHost<OrderDetail>(p => p.Add(d => d.Id, order.Id));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".attempt")));
        return cut;
    }

    [Fact]
    public void Notes_sit_in_the_timeline_by_time_with_their_author()
    {
        // Attempts at -60 s (1), -50 s (3), -20 s (2).
        var cut = RenderOrder(TestData.Order(42, OrderStatus.Unknown) with
        {
            Notes =
            [
                new OrderNoteDto(2, "ops@micoportal.local", "still nothing at the provider", TestData.Now),
                new OrderNoteDto(1, "lead@micoportal.local", "asked provider support\nticket 4711", TestData.Now.AddSeconds(-55)),
            ],
        });

        var entries = cut.FindAll(".attempt, .timeline-note")
            .Select(e => e.GetAttribute("data-attempt-id") is { } a ? $"attempt {a}" : $"note {e.GetAttribute("data-note-id")}")
            .ToList();
        Assert.Equal(["attempt 1", "note 1", "attempt 3", "attempt 2", "note 2"], entries);
        var first = cut.Find(".timeline-note[data-note-id='1']");
        Assert.Equal("lead@micoportal.local", first.QuerySelector(".note-author")!.TextContent.Trim());
        Assert.Equal("asked provider support\nticket 4711", first.QuerySelector(".note-body")!.TextContent);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Any_operator_adds_a_note_and_sees_it_in_the_timeline(bool admin)
    {
        Api.CurrentUser = admin ? TestData.Admin : TestData.Operations;
        var cut = RenderOrder(TestData.Order(42, OrderStatus.Failed));
        Assert.True(cut.Find("button.note-add").HasAttribute("disabled"));

        cut.Find(".note-text textarea").Input("  called the customer, coins not there  ");
        cut.WaitForAssertion(() => Assert.False(cut.Find("button.note-add").HasAttribute("disabled")));
        cut.Find("button.note-add").Click();

        cut.WaitForAssertion(() => Assert.Equal((42L, "called the customer, coins not there"), Assert.Single(Api.NoteCalls)));
        var note = cut.Find(".timeline-note");
        Assert.Equal(Api.CurrentUser!.Email, note.QuerySelector(".note-author")!.TextContent.Trim());
        Assert.Equal("called the customer, coins not there", note.QuerySelector(".note-body")!.TextContent);
        Assert.True(string.IsNullOrEmpty(cut.Find(".note-text textarea").GetAttribute("value")));
    }

    [Fact]
    public void A_note_and_its_push_show_it_once()
    {
        var cut = RenderOrder(TestData.Order(42, OrderStatus.Failed));
        cut.Find(".note-text textarea").Input("checked the ledger");
        cut.Find("button.note-add").Click();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".timeline-note")));

        Hub.PushOrdersChanged(new OrderChange(42, "shop-42", OrderStatus.Failed, false, false, TestData.Now.AddMinutes(5)));

        cut.WaitForAssertion(() => Assert.Equal(2, Api.OrderRequests.Count));
        Assert.Single(cut.FindAll(".timeline-note"));
    }

    [Fact]
    public void A_refused_note_says_why_and_keeps_the_text()
    {
        Api.NoteFailure = "A note of 1 to 2000 characters.";
        var cut = RenderOrder(TestData.Order(42, OrderStatus.Failed));

        cut.Find(".note-text textarea").Input("x");
        cut.Find("button.note-add").Click();

        cut.WaitForAssertion(() => Assert.Contains("1 to 2000 characters", cut.Find(".note-error").TextContent));
        Assert.Empty(cut.FindAll(".timeline-note"));
        Assert.Equal("x", cut.Find(".note-text textarea").GetAttribute("value"));
    }
}
