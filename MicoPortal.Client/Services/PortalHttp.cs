using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace MicoPortal.Client.Services;

/// <summary>How the client's API classes talk to the portal: JSON in, problem details turned into readable messages.</summary>
internal static class PortalHttp
{
    public static async Task<T> GetRequiredAsync<T>(this HttpClient http, string uri, CancellationToken cancellationToken)
    {
        using var response = await http.SendPortalAsync(HttpMethod.Get, uri, null, cancellationToken);
        return await ReadRequiredAsync<T>(response, cancellationToken);
    }

    /// <summary>Sends an action (a POST without a body unless told otherwise) and turns the answer into a readable result.</summary>
    public static async Task<PortalActionResult> SendActionAsync(this HttpClient http, string uri, string successMessage, CancellationToken cancellationToken, HttpMethod? method = null, HttpContent? content = null)
    {
        try
        {
            using var response = await http.SendPortalAsync(method ?? HttpMethod.Post, uri, content, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return new PortalActionResult(true, successMessage, (int)response.StatusCode);
            }
            var problem = await ReadProblemAsync(response, cancellationToken);
            return new PortalActionResult(false, problem.Message, (int)response.StatusCode, problem.Code);
        }
        catch (HttpRequestException ex)
        {
            return new PortalActionResult(false, $"The portal could not be reached: {ex.Message}");
        }
    }

    /// <summary>Sends a request whose success answers a body (e.g. a created resource).</summary>
    public static Task<PortalActionResult<T>> SendForValueAsync<T>(this HttpClient http, HttpMethod method, string uri, object body, string successMessage, CancellationToken cancellationToken) =>
        http.SendForValueAsync<T>(method, uri, JsonContent.Create(body, options: PortalJson.Options), successMessage, cancellationToken);

    /// <summary>Sends <paramref name="content"/> as it is (e.g. a multipart upload, or nothing) for an answer with a body.</summary>
    public static async Task<PortalActionResult<T>> SendForValueAsync<T>(this HttpClient http, HttpMethod method, string uri, HttpContent? content, string successMessage, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.SendPortalAsync(method, uri, content, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var problem = await ReadProblemAsync(response, cancellationToken);
                return new PortalActionResult<T>(false, problem.Message, default, (int)response.StatusCode, problem.Code);
            }
            var value = await response.Content.ReadFromJsonAsync<T>(PortalJson.Options, cancellationToken);
            return new PortalActionResult<T>(value is not null, value is null ? "The portal answered an empty body." : successMessage, value, (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException)
        {
            return new PortalActionResult<T>(false, $"The portal could not be reached: {ex.Message}", default);
        }
    }

    public static async Task<HttpResponseMessage> SendPortalAsync(this HttpClient http, HttpMethod method, string uri, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        request.Headers.Accept.ParseAdd("application/json");
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex) when (method == HttpMethod.Get)
        {
            throw new PortalApiException($"The portal could not be reached: {ex.Message}", inner: ex);
        }
    }

    public static async Task<T> ReadRequiredAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var problem = await ReadProblemAsync(response, cancellationToken);
            throw new PortalApiException(problem.Message, (int)response.StatusCode, problem.Code);
        }
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(PortalJson.Options, cancellationToken)
                ?? throw new PortalApiException("The portal answered an empty body.", (int)response.StatusCode);
        }
        catch (JsonException ex)
        {
            throw new PortalApiException($"The portal answered something unreadable: {ex.Message}", (int)response.StatusCode, inner: ex);
        }
    }

    /// <summary>Reads RFC 9457 problem details (<c>title</c>, <c>detail</c>, <c>code</c>) into a readable message.</summary>
    public static async Task<(string Message, string? Code)> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var fallback = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => "You are not signed in.",
            HttpStatusCode.Forbidden => "Only an Admin may do this.",
            HttpStatusCode.NotFound => "Not found.",
            HttpStatusCode.Conflict => "The order is not in a state that allows this.",
            _ => $"The portal answered {(int)response.StatusCode} {response.ReasonPhrase}.",
        };
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (string.IsNullOrWhiteSpace(text))
            {
                return (fallback, null);
            }
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (fallback, null);
            }
            var title = ReadString(root, "title");
            var detail = ReadString(root, "detail");
            var code = ReadString(root, "code");
            var message = (title, detail) switch
            {
                ({ Length: > 0 }, { Length: > 0 }) when !detail.Contains(title, StringComparison.OrdinalIgnoreCase) => $"{title}: {detail}",
                (_, { Length: > 0 }) => detail,
                ({ Length: > 0 }, _) => title,
                _ => fallback,
            };
            // Validation problems name what is wrong per field; those words are what the person needs.
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                var details = errors.EnumerateObject()
                    .SelectMany(field => field.Value.ValueKind == JsonValueKind.Array ? field.Value.EnumerateArray() : Enumerable.Empty<JsonElement>())
                    .Where(e => e.ValueKind == JsonValueKind.String)
                    .Select(e => e.GetString())
                    .ToList();
                if (details.Count > 0)
                {
                    message = string.Join(" ", details);
                }
            }

            return (message, code);
        }
        catch (JsonException)
        {
            return (fallback, null);
        }
    }

    private static string? ReadString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
