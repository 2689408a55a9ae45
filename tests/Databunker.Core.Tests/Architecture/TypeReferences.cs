using System.Reflection;
using System.Reflection.Emit;

namespace Databunker.Core.Tests.Architecture;

/// <summary>
/// The types a type uses, read from the compiled assembly: its base and interfaces, the signatures of its members, its
/// locals, and every type, method and field that its method bodies name (read from the IL). Generic arguments count,
/// nested types count as their outermost type.
/// </summary>
internal static class TypeReferences
{
    private const BindingFlags Declared = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>Area to area: which areas (by <paramref name="area"/>, null for none) the types of each area use.</summary>
    public static Dictionary<string, HashSet<string>> Graph(Assembly assembly, Func<Type, string?> area, IEnumerable<Type>? only = null)
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var type in only ?? assembly.GetTypes())
        {
            if (area(Outermost(type)) is not { } from)
            {
                continue;
            }

            foreach (var used in Of(type).Where(t => t.Assembly == assembly))
            {
                if (area(Outermost(used)) is { } to && to != from)
                {
                    (graph.TryGetValue(from, out var set) ? set : graph[from] = new(StringComparer.Ordinal)).Add(to);
                }
            }
        }

        return graph;
    }

    /// <summary>The groups of areas that use one another in a circle (strongly connected, more than one area).</summary>
    public static List<SortedSet<string>> Cycles(Dictionary<string, HashSet<string>> graph)
    {
        var nodes = graph.Keys.Concat(graph.Values.SelectMany(v => v)).Distinct().ToList();
        var reach = nodes.ToDictionary(n => n, n => Reachable(graph, n));
        return [.. nodes.Select(n => new SortedSet<string>(nodes.Where(m => reach[n].Contains(m) && reach[m].Contains(n)), StringComparer.Ordinal))
            .Where(s => s.Count > 1)
            .DistinctBy(s => string.Join(",", s))];
    }

    private static HashSet<string> Reachable(Dictionary<string, HashSet<string>> graph, string start)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var next = new Stack<string>([start]);
        while (next.TryPop(out var node))
        {
            foreach (var to in graph.GetValueOrDefault(node) ?? [])
            {
                if (seen.Add(to))
                {
                    next.Push(to);
                }
            }
        }

        return seen;
    }

    public static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    public static HashSet<Type> Of(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || t.IsGenericParameter)
            {
                return;
            }

            if (t.HasElementType)
            {
                Add(t.GetElementType());
                return;
            }

            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                foreach (var argument in t.GetGenericArguments())
                {
                    Add(argument);
                }

                t = t.GetGenericTypeDefinition();
            }

            found.Add(t);
        }

        Add(type.BaseType);
        foreach (var implemented in type.GetInterfaces())
        {
            Add(implemented);
        }

        foreach (var field in type.GetFields(Declared))
        {
            Add(field.FieldType);
        }

        foreach (var property in type.GetProperties(Declared))
        {
            Add(property.PropertyType);
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            Add((method as MethodInfo)?.ReturnType);
            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
            }

            if (method.GetMethodBody() is not { } body)
            {
                continue;
            }

            foreach (var local in body.LocalVariables)
            {
                Add(local.LocalType);
            }

            foreach (var member in Named(type.Module, body.GetILAsByteArray()!, type, method))
            {
                Add(member as Type ?? member.DeclaringType);
                Add((member as FieldInfo)?.FieldType);
            }
        }

        return found;
    }

    /// <summary>Each method of <paramref name="type"/> with each method its IL body calls (or names).</summary>
    public static IEnumerable<(MethodBase Caller, MethodBase Callee)> CalledBy(Type type) =>
        from method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared))
        where method.GetMethodBody() is not null
        from callee in Named(type.Module, method.GetMethodBody()!.GetILAsByteArray()!, type, method).OfType<MethodBase>()
        select (method, callee);

    /// <summary>The types, methods and fields that an IL body names.</summary>
    private static IEnumerable<MemberInfo> Named(Module module, byte[] il, Type type, MethodBase method)
    {
        var i = 0;
        while (i < il.Length)
        {
            var code = il[i] == 0xFE ? OpCodesByValue[(short)(0xFE00 | il[i + 1])] : OpCodesByValue[il[i]];
            i += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    MemberInfo? member;
                    try
                    {
                        member = module.ResolveMember(BitConverter.ToInt32(il, i),
                            type.IsGenericType ? type.GetGenericArguments() : null, method.IsGenericMethod ? method.GetGenericArguments() : null);
                    }
                    catch (ArgumentException)
                    {
                        member = null;
                    }

                    if (member is not null)
                    {
                        yield return member;
                    }

                    i += 4;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
