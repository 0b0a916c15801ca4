{#- The current map (the merged province and its 65 units): see int_values__current_map. -#}
{{ map_mart(ref('int_values__current_map'), 'current_map') }}
