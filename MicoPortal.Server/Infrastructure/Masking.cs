using MicoPortal.Server.Auth;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Infrastructure;

/// <summary>
/// Personal data in what shops and the Operations role read: customers' phone numbers and operators' e-mail
/// addresses are shown masked (<c>+44*******123</c>, <c>a***@example.com</c>); only a signed-in Admin (without a
/// shop key) sees them whole. Enough is left to tell two values apart and to check one against a known value.
/// </summary>
public static class Masking
{
    /// <summary>True when this request reads personal data unmasked: a signed-in Admin, not speaking for a shop.</summary>
    public static bool SeesPersonalData(HttpContext http) => ShopScope.Of(http) is null && http.User.IsInRole(Roles.Admin);

    /// <summary>
    /// Keeps the first and last three characters of a number of 12 or more (<c>+447700900123</c> → <c>+44*******123</c>),
    /// a quarter of its length at each end for shorter ones, so at least half is always hidden.
    /// </summary>
    public static string? Phone(string? phone)
    {
        if (string.IsNullOrEmpty(phone))
        {
            return phone;
        }

        var keep = Math.Min(3, phone.Length / 4);
        return string.Concat(phone.AsSpan(0, keep), new string('*', phone.Length - 2 * keep), phone.AsSpan(phone.Length - keep));
    }

    /// <summary>The first letter of the mailbox and the whole domain: <c>admin@example.com</c> → <c>a***@example.com</c>. Names without '@' (system actors) stay.</summary>
    public static string? Email(string? email)
    {
        var at = email?.IndexOf('@') ?? -1;
        return at < 0 ? email : string.Concat(email.AsSpan(0, Math.Min(1, at)), "***", email.AsSpan(at));
    }

    /// <summary>The order as this request may read it.</summary>
    public static OrderDto ForReader(this OrderDto order, HttpContext http) =>
        SeesPersonalData(http) ? order : ForShop(order, ShopScope.Of(http) is not null);

    /// <summary>
    /// The order as a shop reads it (its API key, its webhooks), or, with <paramref name="shop"/> false, as the
    /// Operations role does: personal data masked. Operators' notes and the evidence of a resolution are the
    /// operators' own working record and stay inside the portal; a shop sees that a person settled the order and why.
    /// </summary>
    public static OrderDto ForShop(OrderDto order, bool shop = true) => order with
    {
        CustomerPhone = Phone(order.CustomerPhone),
        Attempts = [.. order.Attempts.Select(a => a.Actor is null ? a : a with { Actor = Email(a.Actor) })],
        Notes = shop ? [] : [.. (order.Notes ?? []).Select(n => n with { Author = Email(n.Author)! })],
        Resolutions = [.. (order.Resolutions ?? []).Select(r => shop
            ? r with { ResolvedBy = Email(r.ResolvedBy)!, Evidence = null, EvidenceFileName = null, EvidenceFileBytes = null }
            : r with { ResolvedBy = Email(r.ResolvedBy)! })],
    };
}
