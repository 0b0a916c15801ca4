{#- Resolution 06's map (old Khánh Hòa and its nine districts), 2021 to today: see int_values__nq06_map. -#}
{{ map_mart(ref('int_values__nq06_map'), 'nq06_map') }}
