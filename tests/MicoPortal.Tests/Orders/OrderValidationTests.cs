using System.Reflection;
using System.Text.RegularExpressions;
using MicoPortal.Server.Data;
using MicoPortal.Server.Orders;
using MicoPortal.Shared.Orders;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Tests.Orders;

/// <summary>
/// What passes validation must fit the database: a value that SQLite stores anyway overflows its column on
/// PostgreSQL and SQL Server (issue 15 item 3).
/// </summary>
public class OrderValidationTests
{
    private static readonly CreateOrderRequest Valid = new("ext-1", "123456789012", "GLOBAL", "MICO-COINS-500", 500, "4.99", "USD", "+971501234567");

    [Fact]
    public void A_trailing_newline_does_not_pass_the_micoUserId_check()
    {
        var (order, errors) = OrderValidation.Validate(Valid with { MicoUserId = "123456789012\n" });

        Assert.Null(order);
        Assert.Contains("micoUserId", errors.Keys);
    }

    /// <summary>Every string a shop sends, with trailing or leading whitespace or one character too many.</summary>
    public static TheoryData<string, string> Variants()
    {
        var data = new TheoryData<string, string>();
        foreach (var field in new[] { "externalId", "micoUserId", "region", "sku", "currency", "customerPhone" })
        {
            data.Add(field, "newline");
            data.Add(field, "crlf");
            data.Add(field, "leading-newline");
            data.Add(field, "too-long");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void What_passes_validation_fits_the_columns_of_the_model(string field, string variant)
    {
        var maxLengths = ColumnLengths();
        var valid = Field(Valid, field)!;
        var value = variant switch
        {
            "newline" => valid + "\n",
            "crlf" => valid + "\r\n",
            "leading-newline" => "\n" + valid,
            _ => valid + new string(valid[^1], maxLengths[field] + 1 - valid.Length),
        };

        var (order, _) = OrderValidation.Validate(With(Valid, field, value));

        if (order is not null)
        {
            foreach (var (name, max) in maxLengths)
            {
                var stored = Stored(order, name);
                Assert.True(stored is null || stored.Length <= max, $"{name} '{stored}' is longer than its column ({max})");
                Assert.True(stored is null || !stored.Any(char.IsControl), $"{name} keeps a control character");
            }
        }
    }

    [Fact]
    public void No_regex_of_the_server_lets_dollar_match_before_a_final_newline()
    {
        var patterns = typeof(OrderValidation).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<GeneratedRegexAttribute>()))
            .Where(x => x.Attribute is not null)
            .ToList();

        Assert.NotEmpty(patterns);
        var loose = patterns
            .Where(x => Regex.IsMatch(x.Attribute!.Pattern, @"(?<!\\)\$") && !x.Attribute.Options.HasFlag(RegexOptions.Multiline))
            .Select(x => $"{x.Method.DeclaringType!.Name}.{x.Method.Name}: {x.Attribute!.Pattern}")
            .ToList();
        Assert.True(loose.Count == 0, "'$' also matches before a final newline; anchor with \\z: " + string.Join(", ", loose));
    }

    private static Dictionary<string, int> ColumnLengths()
    {
        using var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite("Data Source=:memory:").Options);
        var entity = db.Model.FindEntityType(typeof(Order))!;
        int Max(string property) => entity.FindProperty(property)!.GetMaxLength()!.Value;
        return new Dictionary<string, int>
        {
            ["externalId"] = Max(nameof(Order.ExternalId)),
            ["micoUserId"] = Max(nameof(Order.MicoUserId)),
            ["region"] = Max(nameof(Order.Region)),
            ["sku"] = Max(nameof(Order.Sku)),
            ["currency"] = Max(nameof(Order.Currency)),
            ["customerPhone"] = Max(nameof(Order.CustomerPhone)),
        };
    }

    private static string? Field(CreateOrderRequest r, string field) => field switch
    {
        "externalId" => r.ExternalId,
        "micoUserId" => r.MicoUserId,
        "region" => r.Region,
        "sku" => r.Sku,
        "currency" => r.Currency,
        _ => r.CustomerPhone,
    };

    private static CreateOrderRequest With(CreateOrderRequest r, string field, string value) => field switch
    {
        "externalId" => r with { ExternalId = value },
        "micoUserId" => r with { MicoUserId = value },
        "region" => r with { Region = value },
        "sku" => r with { Sku = value },
        "currency" => r with { Currency = value },
        _ => r with { CustomerPhone = value },
    };

    private static string? Stored(ValidOrder o, string field) => field switch
    {
        "externalId" => o.ExternalId,
        "micoUserId" => o.MicoUserId,
        "region" => o.Region,
        "sku" => o.Sku,
        "currency" => o.Currency,
        _ => o.CustomerPhone,
    };
}
