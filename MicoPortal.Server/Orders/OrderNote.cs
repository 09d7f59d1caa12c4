using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Orders;

/// <summary>
/// What an operator wrote down about an order (a call with the provider's desk, a customer's complaint). Notes
/// never change the order; they are kept with it, shown in its timeline and audited.
/// </summary>
public sealed class OrderNote
{
    public const int MaxText = 2000;

    public long Id { get; set; }
    public long OrderId { get; set; }
    public required string Author { get; set; }
    public required string Text { get; set; }
    public DateTimeOffset At { get; set; }

    public OrderNoteDto ToDto() => new(Id, Author, Text, At);
}
