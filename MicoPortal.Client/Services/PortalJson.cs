using System.Text.Json;
using System.Text.Json.Serialization;

namespace MicoPortal.Client.Services;

/// <summary>JSON settings of the portal's API and hub: web defaults (camelCase), enums as names.</summary>
public static class PortalJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Adds what the portal's wire format needs to <paramref name="options"/>.</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        if (!options.Converters.OfType<JsonStringEnumConverter>().Any())
        {
            options.Converters.Add(new JsonStringEnumConverter());
        }
        return options;
    }
}
