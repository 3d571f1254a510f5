using System.Text.Json;
using System.Text.Json.Nodes;
using Switch.Adapters.Iso8583;

namespace Switch.Adapters.Tests.Fixtures;

/// <summary>Every message of the spec (Fixtures/spec-messages.json) and their golden encodings.</summary>
public static class SpecMessages
{
    public static IReadOnlyList<(string Name, string Json)> All { get; } = JsonNode.Parse(Read("spec-messages.json"))!.AsArray()
        .Select(m => (m!["name"]!.GetValue<string>(), m.ToJsonString()))
        .ToList();

    public static IReadOnlyList<Golden> Vectors { get; } = JsonSerializer.Deserialize<List<Golden>>(Read("golden-spec-ascii.json"),
        new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    public static IsoMessage Message(string name) => IsoJson.Parse(All.Single(m => m.Name == name).Json, MessageProfile.Spec);

    public static IEnumerable<object[]> Names => All.Select(m => new object[] { m.Name });

    public static IEnumerable<object[]> VectorNames => Vectors.Select(v => new object[] { v.Name });

    private static string Read(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", file));

    public sealed record Golden(string Name, string Hex, string? MacKey);
}
