using System.Globalization;
using System.Text.RegularExpressions;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Orders;

/// <summary>A shop order that passed validation, in normalized form.</summary>
public sealed record ValidOrder(string ExternalId, string MicoUserId, string Region, string Sku, int Coins, decimal Amount, string Currency, string? CustomerPhone = null)
{
    /// <summary>Same order as an existing one? Decides 200 (idempotent repeat) versus 409 (conflict).</summary>
    public bool SameAs(ValidOrder order) =>
        MicoUserId == order.MicoUserId && Region == order.Region && Sku == order.Sku && Coins == order.Coins
        && Amount == order.Amount && Currency == order.Currency && CustomerPhone == order.CustomerPhone;
}

/// <summary>
/// Rules of docs/api.md section 2 for a shop order. What passes fits the <c>Orders</c> columns on every database
/// (SQLite stores an overlong string, PostgreSQL and SQL Server refuse it): every string is checked against its
/// column's length first, and patterns end in <c>\z</c>, since <c>$</c> also matches before a final newline.
/// </summary>
public static partial class OrderValidation
{
    public const int MaxCoins = 1_000_000;
    public static readonly string[] Regions = ["GLOBAL", "MENA"];

    /// <summary>Column lengths of the <c>Orders</c> table: the entity configuration takes them from here, so a check and its column cannot drift.</summary>
    public const int MaxExternalId = 64, MaxMicoUserId = 12, MaxRegion = 8, MaxSku = 64, MaxCurrency = 3, MaxCustomerPhone = 16;

    public static (ValidOrder? Order, Dictionary<string, string[]> Errors) Validate(CreateOrderRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request is null)
        {
            errors["body"] = ["An order object is required."];
            return (null, errors);
        }

        var externalId = request.ExternalId?.Trim();
        if (string.IsNullOrEmpty(externalId))
        {
            errors["externalId"] = ["Required."];
        }
        else if (externalId.Length > MaxExternalId || !ExternalIdPattern().IsMatch(externalId))
        {
            errors["externalId"] = ["1 to 64 characters: letters, digits, '.', '_', ':' or '-'."];
        }

        if (string.IsNullOrEmpty(request.MicoUserId))
        {
            errors["micoUserId"] = ["Required."];
        }
        else if (request.MicoUserId.Length > MaxMicoUserId || !MicoUserIdPattern().IsMatch(request.MicoUserId))
        {
            errors["micoUserId"] = ["A MICO user ID is 6 to 12 digits."];
        }

        var region = request.Region?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(region))
        {
            errors["region"] = ["Required."];
        }
        else if (region.Length > MaxRegion || !Regions.Contains(region))
        {
            errors["region"] = ["Must be GLOBAL or MENA."];
        }

        var sku = request.Sku?.Trim();
        if (string.IsNullOrEmpty(sku))
        {
            errors["sku"] = ["Required."];
        }
        else if (sku.Length > MaxSku || !SkuPattern().IsMatch(sku))
        {
            errors["sku"] = ["1 to 64 characters: letters, digits, '.', '_' or '-'."];
        }

        if (request.Coins is null)
        {
            errors["coins"] = ["Required."];
        }
        else if (request.Coins is < 1 or > MaxCoins)
        {
            errors["coins"] = ["Must be between 1 and 1,000,000."];
        }

        decimal amount = 0;
        if (string.IsNullOrEmpty(request.Amount))
        {
            errors["amount"] = ["Required, as a decimal string such as \"4.99\"."];
        }
        else if (!AmountPattern().IsMatch(request.Amount)
                 || !decimal.TryParse(request.Amount, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount)
                 || amount <= 0)
        {
            errors["amount"] = ["A positive decimal string with at most 4 decimals, such as \"4.99\"."];
        }

        var currency = request.Currency?.Trim();
        if (string.IsNullOrEmpty(currency))
        {
            errors["currency"] = ["Required."];
        }
        else if (currency.Length > MaxCurrency || !CurrencyPattern().IsMatch(currency))
        {
            errors["currency"] = ["An ISO 4217 code of three capital letters, such as USD."];
        }

        var phone = string.IsNullOrWhiteSpace(request.CustomerPhone) ? null : request.CustomerPhone.Trim();
        if (phone is not null && (phone.Length > MaxCustomerPhone || !PhonePattern().IsMatch(phone)))
        {
            errors["customerPhone"] = ["An E.164 phone number: '+' and 8 to 15 digits, such as +971501234567."];
        }

        return errors.Count > 0
            ? (null, errors)
            : (new ValidOrder(externalId!, request.MicoUserId!, region!, sku!, request.Coins!.Value, amount, currency!, phone), errors);
    }

    [GeneratedRegex(@"^[A-Za-z0-9._:-]{1,64}\z")]
    private static partial Regex ExternalIdPattern();

    [GeneratedRegex(@"^[0-9]{6,12}\z")]
    private static partial Regex MicoUserIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex SkuPattern();

    [GeneratedRegex(@"^[0-9]{1,12}(\.[0-9]{1,4})?\z")]
    private static partial Regex AmountPattern();

    [GeneratedRegex(@"^[A-Z]{3}\z")]
    private static partial Regex CurrencyPattern();

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}\z")]
    private static partial Regex PhonePattern();
}
